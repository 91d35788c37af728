using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Comx.Core.Http;

namespace Comx.Core.Network;

/// <summary>
/// The SSRF policy for every outbound request (ingestion fetches, webhook deliveries, action targets). Only globally
/// routable unicast addresses are allowed. <see cref="NetworkOptions.AllowPrivateTargets"/> (local runs and tests) also
/// lets loopback, private, link-local, CGNAT and unique-local addresses through; cloud metadata endpoints, unspecified,
/// multicast, broadcast and reserved addresses stay refused whatever it says. IPv6 forms that carry an IPv4 address
/// (mapped, compatible, translated, NAT64, 6to4, Teredo) are judged by the address they carry.
/// </summary>
public static class NetworkGuard
{
    private static readonly (uint Network, int Prefix)[] MetadataV4 =
    [
        (Ipv4(169, 254, 169, 0), 24),   // AWS, GCP, Azure, OCI, OpenStack, DigitalOcean IMDS; AWS time sync and DNS
        (Ipv4(169, 254, 170, 0), 24),   // AWS ECS task metadata (.2), EKS pod identity (.23)
        (Ipv4(168, 63, 129, 16), 32),   // Azure WireServer and platform DNS: a public address that only the host answers
        (Ipv4(100, 100, 100, 200), 32), // Alibaba Cloud
        (Ipv4(192, 0, 0, 192), 32),     // Oracle Cloud (classic) metadata
    ];

    private static readonly (UInt128 Network, int Prefix)[] MetadataV6 =
    [
        (Ipv6("fd00:ec2::"), 64),       // AWS IMDS (fd00:ec2::254), EKS pod identity (fd00:ec2::23)
        (Ipv6("fd20:ce::254"), 128),    // GCP metadata over IPv6
    ];

    private static readonly (uint Network, int Prefix, AddressClass Class)[] RangesV4 =
    [
        (Ipv4(0, 0, 0, 0), 32, AddressClass.Unspecified),
        (Ipv4(0, 0, 0, 0), 8, AddressClass.Reserved),
        (Ipv4(10, 0, 0, 0), 8, AddressClass.Private),
        (Ipv4(100, 64, 0, 0), 10, AddressClass.SharedAddressSpace),
        (Ipv4(127, 0, 0, 0), 8, AddressClass.Loopback),
        (Ipv4(169, 254, 0, 0), 16, AddressClass.LinkLocal),
        (Ipv4(172, 16, 0, 0), 12, AddressClass.Private),
        (Ipv4(192, 0, 0, 0), 24, AddressClass.Reserved),       // IETF protocol assignments
        (Ipv4(192, 0, 2, 0), 24, AddressClass.Reserved),       // TEST-NET-1
        (Ipv4(192, 88, 99, 0), 24, AddressClass.Reserved),     // deprecated 6to4 relay anycast
        (Ipv4(192, 168, 0, 0), 16, AddressClass.Private),
        (Ipv4(198, 18, 0, 0), 15, AddressClass.Reserved),      // benchmarking
        (Ipv4(198, 51, 100, 0), 24, AddressClass.Reserved),    // TEST-NET-2
        (Ipv4(203, 0, 113, 0), 24, AddressClass.Reserved),     // TEST-NET-3
        (Ipv4(224, 0, 0, 0), 4, AddressClass.Multicast),
        (Ipv4(255, 255, 255, 255), 32, AddressClass.Broadcast),
        (Ipv4(240, 0, 0, 0), 4, AddressClass.Reserved),
    ];

    /// <summary>Classifies an address. IPv6 scope ids are ignored.</summary>
    public static AddressClass Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ClassifyV4(ToUInt32(address)),
            AddressFamily.InterNetworkV6 => ClassifyV6(address),
            _ => AddressClass.Reserved,
        };
    }

    /// <summary>True when an outbound request may connect to <paramref name="address"/>.</summary>
    public static bool IsAllowed(IPAddress address, bool allowPrivateTargets) => IsAllowed(Classify(address), allowPrivateTargets);

    /// <summary>True when an address of this class may be connected to.</summary>
    public static bool IsAllowed(AddressClass addressClass, bool allowPrivateTargets) => addressClass switch
    {
        AddressClass.Public => true,
        AddressClass.Loopback or AddressClass.Private or AddressClass.LinkLocal or AddressClass.SharedAddressSpace or AddressClass.UniqueLocal
            => allowPrivateTargets,
        _ => false,
    };

    /// <summary>
    /// Checks a target URL when it is stored (source, action target, webhook subscription): absolute http(s), no user
    /// information, a host, and — when the host is a literal address (any form <see cref="Uri"/> accepts, such as
    /// <c>2130706433</c> or <c>[::ffff:127.0.0.1]</c>) or <c>localhost</c> — one the guard allows. Other host names are
    /// not resolved here; every fetch or delivery checks the resolved addresses again.
    /// </summary>
    /// <returns>Null when acceptable, else the error for <paramref name="field"/>.</returns>
    public static FieldError? ValidateTargetUrl(string? url, string field, bool allowPrivateTargets)
    {
        var problem = CheckUrl(url, allowPrivateTargets, out _, refuseLocalhostName: true);
        return problem is null ? null : new FieldError(field, problem.Message);
    }

    /// <summary>
    /// The same checks as <see cref="ValidateTargetUrl"/>, with the parsed URL or the refusal. Refusing <c>localhost</c>
    /// by name is for creation time, where nothing is resolved; at send time resolution catches it.
    /// </summary>
    internal static NetworkFailure? CheckUrl(string? url, bool allowPrivateTargets, out Uri? uri, bool refuseLocalhostName = false)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            return new(NetworkFailureKind.InvalidUrl, "A URL is required.");
        }

        if (url.Length > 2048)
        {
            return new(NetworkFailureKind.InvalidUrl, "The URL is longer than 2048 characters.");
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var parsed) || parsed.IsFile || parsed.IsUnc)
        {
            return new(NetworkFailureKind.InvalidUrl, "Must be an absolute http or https URL.");
        }

        return CheckUri(parsed, allowPrivateTargets, out uri, refuseLocalhostName);
    }

    /// <summary>Checks an already parsed URL: used for the first request and again for every redirect hop.</summary>
    internal static NetworkFailure? CheckUri(Uri parsed, bool allowPrivateTargets, out Uri? uri, bool refuseLocalhostName = false)
    {
        uri = null;
        if (!parsed.IsAbsoluteUri || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            return new(NetworkFailureKind.InvalidUrl, "Must be an absolute http or https URL.", parsed.IsAbsoluteUri ? parsed : null);
        }

        if (parsed.UserInfo.Length > 0)
        {
            return new(NetworkFailureKind.InvalidUrl, "The URL must not contain a user name or password.", parsed);
        }

        var host = parsed.DnsSafeHost;
        if (host.Length == 0)
        {
            return new(NetworkFailureKind.InvalidUrl, "The URL has no host.", parsed);
        }

        if (TryParseLiteral(host, out var literal))
        {
            var addressClass = Classify(literal);
            if (!IsAllowed(addressClass, allowPrivateTargets))
            {
                return Blocked(parsed, parsed.Host, literal, addressClass);
            }
        }
        else if (refuseLocalhostName && !allowPrivateTargets && IsLocalhostName(host))
        {
            // RFC 6761: localhost and *.localhost always mean this machine; refusing them needs no lookup.
            return new(NetworkFailureKind.BlockedAddress, $"The host {parsed.Host} is this machine (loopback), which is not allowed.", parsed);
        }

        uri = parsed;
        return null;
    }

    internal static NetworkFailure Blocked(Uri? url, string host, IPAddress address, AddressClass addressClass)
    {
        var message = TryParseLiteral(host, out _)
            ? $"The address {address} is {Describe(addressClass)}, which is not allowed as a target."
            : $"The host {host} resolves to {address}, {Describe(addressClass)}, which is not allowed as a target.";
        return new(NetworkFailureKind.BlockedAddress, message, url);
    }

    internal static bool TryParseLiteral(string host, out IPAddress address)
    {
        var trimmed = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(trimmed, out address!);
    }

    private static bool IsLocalhostName(string host)
    {
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    private static string Describe(AddressClass addressClass) => addressClass switch
    {
        AddressClass.Loopback => "a loopback address",
        AddressClass.Private => "a private address",
        AddressClass.LinkLocal => "a link-local address",
        AddressClass.SharedAddressSpace => "a carrier-grade NAT address",
        AddressClass.UniqueLocal => "a unique local IPv6 address",
        AddressClass.Multicast => "a multicast address",
        AddressClass.Broadcast => "the broadcast address",
        AddressClass.Unspecified => "the unspecified address",
        AddressClass.CloudMetadata => "a cloud metadata address",
        _ => "a reserved address",
    };

    private static AddressClass ClassifyV4(uint value)
    {
        foreach (var (network, prefix) in MetadataV4)
        {
            if (InRange(value, network, prefix))
            {
                return AddressClass.CloudMetadata;
            }
        }

        foreach (var (network, prefix, addressClass) in RangesV4)
        {
            if (InRange(value, network, prefix))
            {
                return addressClass;
            }
        }

        return AddressClass.Public;
    }

    private static AddressClass ClassifyV6(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);

        foreach (var (network, prefix) in MetadataV6)
        {
            if (InRange(value, network, prefix))
            {
                return AddressClass.CloudMetadata;
            }
        }

        if (value == UInt128.Zero)
        {
            return AddressClass.Unspecified;
        }

        if (value == UInt128.One)
        {
            return AddressClass.Loopback;
        }

        var low32 = (uint)(value & uint.MaxValue);

        // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (SIIT translated) are the IPv4 address itself.
        if (InRange(value, Ipv6("::ffff:0:0"), 96) || InRange(value, Ipv6("::ffff:0:0:0"), 96))
        {
            return ClassifyV4(low32);
        }

        // ::a.b.c.d (deprecated IPv4-compatible) is not routable; report what it points at when that is worse.
        if (InRange(value, UInt128.Zero, 96))
        {
            return Embedded(ClassifyV4(low32), AddressClass.Reserved);
        }

        // NAT64 well-known prefix: a public IPv4 behind it is a legitimate public destination.
        if (InRange(value, Ipv6("64:ff9b::"), 96))
        {
            return ClassifyV4(low32);
        }

        if (InRange(value, Ipv6("64:ff9b:1::"), 48))
        {
            return AddressClass.Private;
        }

        // Teredo: server IPv4 in bits 32–63, client IPv4 inverted in the last 32 bits.
        if (InRange(value, Ipv6("2001::"), 32))
        {
            var server = ClassifyV4((uint)((value >> 64) & uint.MaxValue));
            var client = ClassifyV4(~low32);
            return Embedded(client, Embedded(server, AddressClass.Public));
        }

        // 6to4: the IPv4 address in bits 16–47.
        if (InRange(value, Ipv6("2002::"), 16))
        {
            return Embedded(ClassifyV4((uint)((value >> 80) & uint.MaxValue)), AddressClass.Public);
        }

        if (InRange(value, Ipv6("fc00::"), 7))
        {
            return AddressClass.UniqueLocal;
        }

        if (InRange(value, Ipv6("fe80::"), 10))
        {
            return AddressClass.LinkLocal;
        }

        if (InRange(value, Ipv6("fec0::"), 10))
        {
            return AddressClass.Private;
        }

        if (InRange(value, Ipv6("ff00::"), 8))
        {
            return AddressClass.Multicast;
        }

        if (InRange(value, Ipv6("2001:db8::"), 32) || InRange(value, Ipv6("3fff::"), 20) || InRange(value, Ipv6("100::"), 64))
        {
            return AddressClass.Reserved;
        }

        // Only 2000::/3 is allocated as global unicast.
        return InRange(value, Ipv6("2000::"), 3) ? AddressClass.Public : AddressClass.Reserved;
    }

    /// <summary>The class of an address that embeds an IPv4 one: the embedded class when it is not public.</summary>
    private static AddressClass Embedded(AddressClass embedded, AddressClass otherwise) =>
        embedded == AddressClass.Public ? otherwise : embedded;

    private static bool InRange(uint value, uint network, int prefix) =>
        prefix == 0 || (value ^ network) >> (32 - prefix) == 0;

    private static bool InRange(UInt128 value, UInt128 network, int prefix) =>
        prefix == 0 || (value ^ network) >> (128 - prefix) == UInt128.Zero;

    private static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static uint Ipv4(byte a, byte b, byte c, byte d) => (uint)(a << 24 | b << 16 | c << 8 | d);

    private static UInt128 Ipv6(string address)
    {
        Span<byte> bytes = stackalloc byte[16];
        IPAddress.Parse(address).TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }
}
