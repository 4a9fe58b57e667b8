using System.Net;
using Flux.Functions.Notifications;

namespace Flux.Functions.Tests.Notifications;

public sealed class WebhookAddressTests
{
    [Theory]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.10", "private")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.8.9.10", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("169.254.169.254", "link-local")] // AWS/Azure/GCP instance metadata
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd00:ec2::254", "unique-local")] // AWS IPv6 metadata
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.100.100.200", "carrier-grade NAT")] // Alibaba metadata
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("168.63.129.16", "wireserver")] // Azure platform endpoint
    [InlineData("192.0.0.192", "IETF protocol")] // Oracle Cloud metadata
    [InlineData("::ffff:10.0.0.1", "private")] // IPv4-mapped
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")] // NAT64 of 169.254.169.254
    [InlineData("2002:a00:1::1", "private")] // 6to4 of 10.0.0.1
    public void RefusedAddresses_SayWhichRange(string address, string range)
    {
        string? problem = WebhookAddress.ProblemWithAddress(IPAddress.Parse(address), allowLoopback: false);

        Assert.NotNull(problem);
        Assert.Contains(range, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.15.255.255")] // just outside 172.16/12
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")] // just outside 100.64/10
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.4.4")]
    public void PublicAddresses_AreAllowed(string address)
        => Assert.Null(WebhookAddress.ProblemWithAddress(IPAddress.Parse(address), allowLoopback: false));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_IsAllowedOnlyWithTheSetting(string address)
    {
        Assert.NotNull(WebhookAddress.ProblemWithAddress(IPAddress.Parse(address), allowLoopback: false));
        Assert.Null(WebhookAddress.ProblemWithAddress(IPAddress.Parse(address), allowLoopback: true));
    }

    [Fact]
    public void PrivateAddresses_StayRefusedWithTheLoopbackSetting()
        => Assert.NotNull(WebhookAddress.ProblemWithAddress(IPAddress.Parse("10.1.2.3"), allowLoopback: true));

    [Theory]
    [InlineData("http://hooks.example.com/x", false, "https only")]
    [InlineData("http://hooks.example.com/x", true, "https only")] // the setting allows http for loopback only
    [InlineData("https://user:secret@hooks.example.com/x", false, "user name or password")]
    [InlineData("https://hooks.example.com/x#frag", false, "fragment")]
    [InlineData("ftp://hooks.example.com/x", false, "absolute https URL")]
    [InlineData("hooks.example.com/x", false, "absolute https URL")]
    [InlineData("https://10.0.0.1/hook", false, "private")]
    [InlineData("https://169.254.169.254/latest/meta-data/", false, "link-local")]
    [InlineData("https://[::1]:8443/hook", false, "loopback")]
    [InlineData("https://[fd00:ec2::254]/", false, "unique-local")]
    [InlineData("http://127.0.0.1:7071/hook", false, "loopback")]
    public void RefusedUrls_SayWhy(string url, bool allowLoopback, string reason)
    {
        string? problem = WebhookAddress.ProblemWithUrl(url, allowLoopback);

        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.example.com/flux?token=1", false)]
    [InlineData("https://8.8.8.8/hook", false)]
    [InlineData("http://127.0.0.1:7071/hook", true)]
    [InlineData("http://localhost:7071/hook", true)]
    [InlineData("http://[::1]:7071/hook", true)]
    public void AcceptedUrls(string url, bool allowLoopback)
        => Assert.Null(WebhookAddress.ProblemWithUrl(url, allowLoopback));
}
