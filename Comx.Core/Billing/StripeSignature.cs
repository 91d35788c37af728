using System.Globalization;
using System.Text;
using Stripe;

namespace Comx.Core.Billing;

/// <summary>Outcome of checking a <c>Stripe-Signature</c> header. Only <see cref="Valid"/> lets a body through.</summary>
public enum StripeSignatureResult
{
    Valid,
    /// <summary>No secret is configured: every delivery is refused (fail closed).</summary>
    NoSecretConfigured,
    MissingHeader,
    /// <summary>Not <c>t=…,v1=…</c>: an item without <c>=</c>, or no whole-number <c>t</c>.</summary>
    MalformedHeader,
    /// <summary><c>t</c> is more than <see cref="StripeSignature.ToleranceSeconds"/> before now.</summary>
    TooOld,
    /// <summary><c>t</c> is more than <see cref="StripeSignature.ToleranceSeconds"/> after now.</summary>
    TooNew,
    /// <summary>No <c>v1</c> signature matches any configured secret (<c>v0</c> and other schemes are never accepted).</summary>
    NoMatchingSignature,
}

/// <summary>
/// Verifies Stripe webhook deliveries with Stripe.net's <see cref="EventUtility.ValidateSignature(string, string, string, long, long)"/>,
/// against each configured secret in turn (rotation), with a 300 s tolerance either way on the injected clock.
/// Returns a result instead of throwing.
/// </summary>
public sealed class StripeSignature
{
    public const long ToleranceSeconds = EventUtility.DefaultTimeTolerance;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string[] _secrets;
    private readonly TimeProvider _time;

    /// <param name="secrets">Endpoint signing secrets, <c>whsec_…</c> (used whole, prefix included, as Stripe does). Blank entries are ignored.</param>
    /// <param name="time">The clock the tolerance is checked against.</param>
    public StripeSignature(IReadOnlyList<string> secrets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(time);
        _secrets = [.. secrets.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim())];
        _time = time;
    }

    /// <summary>Verifies the raw request body against its <c>Stripe-Signature</c> header.</summary>
    public StripeSignatureResult Verify(ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (_secrets.Length == 0)
        {
            return StripeSignatureResult.NoSecretConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return StripeSignatureResult.MissingHeader;
        }

        // Stripe.net throws format, overflow and signature errors alike; reading the header first keeps those apart
        // and lets the timestamp be judged before any HMAC is computed.
        if (ReadTimestamp(signatureHeader) is not { } timestamp)
        {
            return StripeSignatureResult.MalformedHeader;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (now - timestamp > ToleranceSeconds)
        {
            return StripeSignatureResult.TooOld;
        }

        if (timestamp - now > ToleranceSeconds)
        {
            return StripeSignatureResult.TooNew;
        }

        string json;
        try
        {
            json = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            // Stripe signs UTF-8 text; bytes that are not UTF-8 cannot carry its signature.
            return StripeSignatureResult.NoMatchingSignature;
        }

        foreach (var secret in _secrets)
        {
            try
            {
                EventUtility.ValidateSignature(json, signatureHeader, secret, ToleranceSeconds, now);
                return StripeSignatureResult.Valid;
            }
            catch (StripeException)
            {
                // Not this secret; the next one may be the rotated-in (or still valid old) one.
            }
        }

        return StripeSignatureResult.NoMatchingSignature;
    }

    /// <summary>
    /// Parses a verified body with Stripe.net, accepting events of any API version
    /// (<c>throwOnApiVersionMismatch: false</c>); null when it is not a (snapshot) event.
    /// </summary>
    /// <remarks>
    /// Stripe.net deserialises into the classes of its own pinned API version, so fields that moved between versions
    /// (basil moved <c>current_period_end</c> to subscription items and <c>invoice.subscription</c> under
    /// <c>parent</c>) may come back empty. Prefer <see cref="StripeEventEnvelope"/>, which reads the JSON as sent.
    /// </remarks>
    public static Event? ParseEvent(string json)
    {
        try
        {
            return EventUtility.ParseEvent(json, throwOnApiVersionMismatch: false);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or StripeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The first <c>t</c> of the header (as Stripe.net reads it), if every item is <c>key=value</c> and <c>t</c> is a whole number.</summary>
    private static long? ReadTimestamp(string header)
    {
        string? t = null;
        foreach (var item in header.Trim().Split(','))
        {
            var parts = item.Trim().Split('=', 2);
            if (parts.Length != 2)
            {
                return null;
            }

            if (t is null && parts[0] == "t")
            {
                t = parts[1];
            }
        }

        // Stripe.net reads t with Convert.ToInt32: anything outside int would throw there instead of failing cleanly.
        return t is { Length: > 0 and <= 10 } && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
    }
}
