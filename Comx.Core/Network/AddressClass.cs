namespace Comx.Core.Network;

/// <summary>What kind of destination an IP address is, as far as outbound requests are concerned.</summary>
public enum AddressClass
{
    /// <summary>Globally routable unicast: the only class allowed without <see cref="NetworkOptions.AllowPrivateTargets"/>.</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>10/8, 172.16/12, 192.168/16, fec0::/10 (deprecated site-local), 64:ff9b:1::/48 (local NAT64).</summary>
    Private,

    /// <summary>169.254/16, fe80::/10.</summary>
    LinkLocal,

    /// <summary>100.64/10, carrier-grade NAT.</summary>
    SharedAddressSpace,

    /// <summary>fc00::/7, IPv6 unique local addresses.</summary>
    UniqueLocal,

    /// <summary>224/4, ff00::/8.</summary>
    Multicast,

    /// <summary>255.255.255.255.</summary>
    Broadcast,

    /// <summary>0.0.0.0 and ::, which Linux and Windows connect to the local host.</summary>
    Unspecified,

    /// <summary>Not routable on the internet: 0/8, 240/4, documentation and benchmarking ranges, IPv6 outside 2000::/3.</summary>
    Reserved,

    /// <summary>Cloud instance metadata and platform endpoints (169.254.169.254, fd00:ec2::254, 168.63.129.16, …).</summary>
    CloudMetadata,
}
