using System.Security.Cryptography;
using System.Text;

namespace Comx.Core.Deliveries;

/// <summary>
/// How outbound deliveries are signed (design.md): <c>X-Comx-Signature</c> is the lowercase hex HMAC-SHA256 of the
/// exact body bytes, keyed with the UTF-8 bytes of the whole secret string (<c>whsec_…</c> included), which is what
/// receivers get from <c>crypto.createHmac('sha256', secret).update(rawBody).digest('hex')</c>.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Comx-Signature";
    public const string EventHeader = "X-Comx-Event";
    public const string DeliveryHeader = "X-Comx-Delivery";
    public const string TimestampHeader = "X-Comx-Timestamp";

    public const string SecretPrefix = "whsec_";

    public static string Sign(string secret, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    /// <summary>A new signing secret: the prefix and 160 random bits.</summary>
    public static string NewSecret(IdGenerator ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return SecretPrefix + ids.Random(20);
    }
}
