using System.Net;
using System.Net.Sockets;
using Flux.Functions.Tests.Hosting;

namespace Flux.Functions.Tests;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void ChosenPorts_AreBelowTheKernelsEphemeralRange_AndBindable()
    {
        int ephemeralStart = LoopbackPorts.EphemeralRangeStart();

        int[] ports = LoopbackPorts.FreeBelowEphemeralRange(20);

        Assert.Equal(20, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralStart - 1));
        var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start(); // free when chosen
        listener.Stop();
    }

    [Fact]
    public void APortInUse_IsNotFree()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            Assert.False(LoopbackPorts.IsFree(((IPEndPoint)listener.LocalEndpoint).Port));
        }
        finally
        {
            listener.Stop();
        }
    }
}
