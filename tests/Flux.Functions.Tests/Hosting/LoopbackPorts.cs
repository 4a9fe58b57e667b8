using System.Net;
using System.Net.Sockets;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// Free loopback ports below the kernel's ephemeral range. Ports the kernel hands out itself (bind to 0, the
/// source port of every outgoing connection) come from that range, so a port chosen in it can be taken by any
/// client connection between the choice and the bind ("address already in use"; the durable test host's own
/// default, 30000-40000, overlaps Linux's 32768-60999). Below the range only an explicit bind can take it, and
/// each candidate is bind-probed first.
/// </summary>
internal static class LoopbackPorts
{
    private const int FirstChosenPort = 20000;

    public static int FreeBelowEphemeralRange() => FreeBelowEphemeralRange(1)[0];

    public static int[] FreeBelowEphemeralRange(int count)
    {
        int below = EphemeralRangeStart();
        var ports = new List<int>(count);
        while (ports.Count < count)
        {
            int candidate = Random.Shared.Next(FirstChosenPort, below);
            if (!ports.Contains(candidate) && IsFree(candidate))
            {
                ports.Add(candidate);
            }
        }

        return [.. ports];
    }

    /// <summary>The first port of /proc/sys/net/ipv4/ip_local_port_range (Linux's default 32768 where it cannot be read).</summary>
    public static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range)
            && int.TryParse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], out int start)
            && start > FirstChosenPort + 1000
                ? start
                : 32768;
    }

    public static bool IsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
