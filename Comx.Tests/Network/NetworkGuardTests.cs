using System.Net;
using Comx.Core.Network;

namespace Comx.Tests.Network;

public sealed class NetworkGuardTests
{
    [Theory]
    // IPv4
    [InlineData("127.0.0.1", AddressClass.Loopback)]
    [InlineData("127.255.255.254", AddressClass.Loopback)]
    [InlineData("10.0.0.1", AddressClass.Private)]
    [InlineData("10.255.255.255", AddressClass.Private)]
    [InlineData("172.16.0.1", AddressClass.Private)]
    [InlineData("172.31.255.255", AddressClass.Private)]
    [InlineData("192.168.1.1", AddressClass.Private)]
    [InlineData("169.254.1.1", AddressClass.LinkLocal)]
    [InlineData("100.64.0.1", AddressClass.SharedAddressSpace)]
    [InlineData("100.127.255.255", AddressClass.SharedAddressSpace)]
    // IPv6
    [InlineData("::1", AddressClass.Loopback)]
    [InlineData("fe80::1", AddressClass.LinkLocal)]
    [InlineData("fe80::1%2", AddressClass.LinkLocal)]
    [InlineData("febf:ffff::1", AddressClass.LinkLocal)]
    [InlineData("fc00::1", AddressClass.UniqueLocal)]
    [InlineData("fd12:3456:789a::1", AddressClass.UniqueLocal)]
    [InlineData("fec0::1", AddressClass.Private)]
    [InlineData("64:ff9b:1::a00:1", AddressClass.Private)]
    // IPv4 inside IPv6: mapped, translated, compatible, NAT64, 6to4, Teredo
    [InlineData("::ffff:127.0.0.1", AddressClass.Loopback)]
    [InlineData("::ffff:7f00:1", AddressClass.Loopback)]
    [InlineData("::ffff:10.1.2.3", AddressClass.Private)]
    [InlineData("::ffff:192.168.0.1", AddressClass.Private)]
    [InlineData("::ffff:169.254.0.1", AddressClass.LinkLocal)]
    [InlineData("::ffff:100.64.1.1", AddressClass.SharedAddressSpace)]
    [InlineData("::ffff:0:127.0.0.1", AddressClass.Loopback)]
    [InlineData("::127.0.0.1", AddressClass.Loopback)]
    [InlineData("::10.0.0.1", AddressClass.Private)]
    [InlineData("64:ff9b::127.0.0.1", AddressClass.Loopback)]
    [InlineData("64:ff9b::c0a8:101", AddressClass.Private)]
    [InlineData("2002:7f00:1::1", AddressClass.Loopback)]
    [InlineData("2002:a00:1::", AddressClass.Private)]
    [InlineData("2002:c0a8:101::1", AddressClass.Private)]
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", AddressClass.Loopback)]   // Teredo, client 127.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", AddressClass.Private)]    // Teredo, client 10.0.0.1
    [InlineData("2001:0:a00:1::f7f7:f7f7", AddressClass.Private)]                   // Teredo, server 10.0.0.1, client 8.8.8.8
    public void PrivateRanges_AreRefused_UnlessPrivateTargetsAreAllowed(string address, AddressClass expected)
    {
        var ip = IPAddress.Parse(address);
        Assert.Equal(expected, NetworkGuard.Classify(ip));
        Assert.False(NetworkGuard.IsAllowed(ip, allowPrivateTargets: false));
        Assert.True(NetworkGuard.IsAllowed(ip, allowPrivateTargets: true));
    }

    [Theory]
    // Cloud metadata and platform endpoints, in every form
    [InlineData("169.254.169.254", AddressClass.CloudMetadata)]
    [InlineData("169.254.169.123", AddressClass.CloudMetadata)]
    [InlineData("169.254.169.253", AddressClass.CloudMetadata)]
    [InlineData("169.254.170.2", AddressClass.CloudMetadata)]
    [InlineData("169.254.170.23", AddressClass.CloudMetadata)]
    [InlineData("168.63.129.16", AddressClass.CloudMetadata)]
    [InlineData("100.100.100.200", AddressClass.CloudMetadata)]
    [InlineData("192.0.0.192", AddressClass.CloudMetadata)]
    [InlineData("fd00:ec2::254", AddressClass.CloudMetadata)]
    [InlineData("fd00:ec2::23", AddressClass.CloudMetadata)]
    [InlineData("fd20:ce::254", AddressClass.CloudMetadata)]
    [InlineData("::ffff:169.254.169.254", AddressClass.CloudMetadata)]
    [InlineData("::ffff:a9fe:a9fe", AddressClass.CloudMetadata)]
    [InlineData("::169.254.169.254", AddressClass.CloudMetadata)]
    [InlineData("64:ff9b::169.254.169.254", AddressClass.CloudMetadata)]
    [InlineData("2002:a9fe:a9fe::1", AddressClass.CloudMetadata)]
    [InlineData("2001:0:4136:e378:8000:63bf:5601:5601", AddressClass.CloudMetadata)] // Teredo, client 169.254.169.254 inverted
    // Never a destination
    [InlineData("0.0.0.0", AddressClass.Unspecified)]
    [InlineData("::", AddressClass.Unspecified)]
    [InlineData("::ffff:0.0.0.0", AddressClass.Unspecified)]
    [InlineData("255.255.255.255", AddressClass.Broadcast)]
    [InlineData("224.0.0.1", AddressClass.Multicast)]
    [InlineData("239.255.255.250", AddressClass.Multicast)]
    [InlineData("ff02::1", AddressClass.Multicast)]
    [InlineData("ff05::1:3", AddressClass.Multicast)]
    [InlineData("::ffff:224.0.0.251", AddressClass.Multicast)]
    [InlineData("0.1.2.3", AddressClass.Reserved)]
    [InlineData("240.0.0.1", AddressClass.Reserved)]
    [InlineData("254.255.255.255", AddressClass.Reserved)]
    [InlineData("192.0.0.8", AddressClass.Reserved)]
    [InlineData("192.0.2.10", AddressClass.Reserved)]
    [InlineData("198.18.0.1", AddressClass.Reserved)]
    [InlineData("198.51.100.7", AddressClass.Reserved)]
    [InlineData("203.0.113.99", AddressClass.Reserved)]
    [InlineData("2001:db8::1", AddressClass.Reserved)]
    [InlineData("3fff::1", AddressClass.Reserved)]
    [InlineData("100::1", AddressClass.Reserved)]
    [InlineData("::8.8.8.8", AddressClass.Reserved)]       // IPv4-compatible: not routable even for a public address
    [InlineData("4000::1", AddressClass.Reserved)]         // outside 2000::/3
    [InlineData("::2", AddressClass.Reserved)]
    public void MetadataAndNonDestinations_AreRefused_EvenWhenPrivateTargetsAreAllowed(string address, AddressClass expected)
    {
        var ip = IPAddress.Parse(address);
        Assert.Equal(expected, NetworkGuard.Classify(ip));
        Assert.False(NetworkGuard.IsAllowed(ip, allowPrivateTargets: false));
        Assert.False(NetworkGuard.IsAllowed(ip, allowPrivateTargets: true));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.215.14")]
    [InlineData("11.0.0.1")]
    [InlineData("9.255.255.255")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.1")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.1")]
    [InlineData("168.63.129.17")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2a00:1450:4009:81f::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7")]      // Teredo, client 8.8.8.8
    public void PublicAddresses_AreAllowed(string address)
    {
        var ip = IPAddress.Parse(address);
        Assert.Equal(AddressClass.Public, NetworkGuard.Classify(ip));
        Assert.True(NetworkGuard.IsAllowed(ip, allowPrivateTargets: false));
        Assert.True(NetworkGuard.IsAllowed(ip, allowPrivateTargets: true));
    }

    [Theory]
    [InlineData("https://example.org/page")]
    [InlineData("http://example.org:8080/a/b?c=d#e")]
    [InlineData("https://xn--r8jz45g.jp/")]
    [InlineData("https://例え.jp/")]
    [InlineData("https://8.8.8.8/dns")]
    [InlineData("https://[2606:4700:4700::1111]/")]
    [InlineData("  https://example.org/padded  ")]
    [InlineData("https://internal.example/")] // not resolved at creation; every fetch checks the addresses
    public void ValidateTargetUrl_AcceptsPublicHttpUrls(string url)
    {
        Assert.Null(NetworkGuard.ValidateTargetUrl(url, "url", allowPrivateTargets: false));
    }

    [Theory]
    [InlineData(null, "A URL is required.")]
    [InlineData("", "A URL is required.")]
    [InlineData("   ", "A URL is required.")]
    [InlineData("example.org/page", "Must be an absolute http or https URL.")]
    [InlineData("/relative", "Must be an absolute http or https URL.")]
    [InlineData("ftp://example.org/file", "Must be an absolute http or https URL.")]
    [InlineData("file:///etc/passwd", "Must be an absolute http or https URL.")]
    [InlineData("javascript:alert(1)", "Must be an absolute http or https URL.")]
    [InlineData("gopher://example.org:70/", "Must be an absolute http or https URL.")]
    [InlineData("http://", "Must be an absolute http or https URL.")]
    [InlineData("http://user:secret@example.org/", "The URL must not contain a user name or password.")]
    [InlineData("https://token@example.org/", "The URL must not contain a user name or password.")]
    [InlineData("http://127.0.0.1/", "The address 127.0.0.1 is a loopback address, which is not allowed as a target.")]
    [InlineData("http://2130706433/", "The address 127.0.0.1 is a loopback address, which is not allowed as a target.")]
    [InlineData("http://0x7f.1/", "The address 127.0.0.1 is a loopback address, which is not allowed as a target.")]
    [InlineData("http://017700000001/", "The address 127.0.0.1 is a loopback address, which is not allowed as a target.")]
    [InlineData("http://127.1/", "The address 127.0.0.1 is a loopback address, which is not allowed as a target.")]
    [InlineData("http://[::1]:8080/", "The address ::1 is a loopback address, which is not allowed as a target.")]
    [InlineData("http://[::ffff:127.0.0.1]/", "The address ::ffff:127.0.0.1 is a loopback address, which is not allowed as a target.")]
    [InlineData("http://10.0.0.5/admin", "The address 10.0.0.5 is a private address, which is not allowed as a target.")]
    [InlineData("http://[fd12::1]/", "The address fd12::1 is a unique local IPv6 address, which is not allowed as a target.")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "The address 169.254.169.254 is a cloud metadata address, which is not allowed as a target.")]
    [InlineData("http://[fd00:ec2::254]/", "The address fd00:ec2::254 is a cloud metadata address, which is not allowed as a target.")]
    [InlineData("http://0/", "The address 0.0.0.0 is the unspecified address, which is not allowed as a target.")]
    [InlineData("http://localhost:7071/api", "The host localhost is this machine (loopback), which is not allowed.")]
    [InlineData("http://LOCALHOST./", "The host localhost. is this machine (loopback), which is not allowed.")]
    [InlineData("http://app.localhost/", "The host app.localhost is this machine (loopback), which is not allowed.")]
    public void ValidateTargetUrl_RefusesWithAFieldError(string? url, string message)
    {
        var error = NetworkGuard.ValidateTargetUrl(url, "target_url", allowPrivateTargets: false);
        Assert.NotNull(error);
        Assert.Equal("target_url", error.Field);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ValidateTargetUrl_TooLong_IsRefused()
    {
        var error = NetworkGuard.ValidateTargetUrl("https://example.org/" + new string('a', 2100), "url", allowPrivateTargets: false);
        Assert.Equal("The URL is longer than 2048 characters.", error?.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071/demo", true)]
    [InlineData("http://localhost:7071/demo", true)]
    [InlineData("http://192.168.1.20/", true)]
    [InlineData("http://169.254.169.254/latest/meta-data/", false)]
    [InlineData("http://[::ffff:169.254.169.254]/", false)]
    [InlineData("http://0.0.0.0:7071/", false)]
    [InlineData("http://224.0.0.1/", false)]
    public void ValidateTargetUrl_WithPrivateTargetsAllowed_StillRefusesMetadataAndNonDestinations(string url, bool accepted)
    {
        Assert.Equal(accepted, NetworkGuard.ValidateTargetUrl(url, "url", allowPrivateTargets: true) is null);
    }
}
