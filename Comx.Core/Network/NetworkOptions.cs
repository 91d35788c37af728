namespace Comx.Core.Network;

/// <summary><c>Comx:Network</c> settings.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Comx:Network";

    /// <summary>Lets ingestion and deliveries reach loopback and private ranges. Local runs and tests only.</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How many X-Forwarded-For entries, from the right, were written by proxies we trust (see <see cref="Http.ClientIp"/>).</summary>
    public int ForwardedHops { get; set; } = 1;
}
