using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Comx.Core.Identity;

/// <summary>Outcome of checking a Svix / Standard Webhooks signature. Only <see cref="Valid"/> lets a body through.</summary>
public enum SvixVerificationResult
{
    Valid,
    /// <summary>No secret is configured: every delivery is refused (fail closed).</summary>
    NoSecretConfigured,
    /// <summary>The id, timestamp or signature header is missing (under both the <c>svix-</c> and <c>webhook-</c> names).</summary>
    MissingHeaders,
    /// <summary>The timestamp header is not a whole number of Unix seconds.</summary>
    InvalidTimestamp,
    /// <summary>The timestamp is more than <see cref="SvixSignature.Tolerance"/> before now.</summary>
    TooOld,
    /// <summary>The timestamp is more than <see cref="SvixSignature.Tolerance"/> after now.</summary>
    TooNew,
    /// <summary>No <c>v1</c> entry of the signature header matches any configured secret.</summary>
    NoMatchingSignature,
}

/// <summary>
/// Verifies Svix / Standard Webhooks signatures (Clerk's webhooks), implemented from the published scheme:
/// <c>v1,</c> + base64 HMAC-SHA256 of <c>{id}.{timestamp}.{raw body}</c>, keyed by the base64-decoded secret.
/// </summary>
/// <remarks>
/// Several secrets may be configured (rotation) and the header may carry several signatures; any <c>v1</c> match passes.
/// The timestamp must be within five minutes of now, either way, and is checked before the signature. Entries of other
/// versions (<c>v1a</c> is ed25519) and malformed entries are skipped, never thrown on.
/// </remarks>
public sealed class SvixSignature
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const string SecretPrefix = "whsec_";
    private const int SignatureBase64Length = 44; // base64 of a 32-byte HMAC-SHA256

    private readonly byte[][] _keys;
    private readonly TimeProvider _time;

    /// <param name="secrets">Signing secrets, <c>whsec_</c> + base64 (the prefix is optional). Blank entries are ignored.</param>
    /// <param name="time">The clock the timestamp tolerance is checked against.</param>
    /// <exception cref="ArgumentException">A secret is not valid base64; configuration validation reports this at start.</exception>
    /// <remarks>
    /// A list, not an <c>IEnumerable</c>: the container would quietly inject an empty enumerable of strings, so a
    /// registration without a factory fails at build time instead of refusing every delivery.
    /// </remarks>
    public SvixSignature(IReadOnlyList<string> secrets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(time);
        _keys = [.. secrets.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => TryDecodeSecret(s) ?? throw new ArgumentException("A webhook secret is not whsec_ followed by base64.", nameof(secrets)))];
        _time = time;
    }

    /// <summary>Decodes a secret to its HMAC key: the base64 part after an optional <c>whsec_</c>; null when it is not base64 or empty.</summary>
    public static byte[]? TryDecodeSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var text = secret.Trim();
        if (text.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            text = text[SecretPrefix.Length..];
        }

        var buffer = new byte[text.Length];
        return text.Length > 0 && Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    /// <summary>
    /// Verifies a request's raw body against its <c>svix-id</c>, <c>svix-timestamp</c> and <c>svix-signature</c> headers,
    /// or the <c>webhook-id</c>, <c>webhook-timestamp</c> and <c>webhook-signature</c> set when any <c>svix-</c> one is absent.
    /// </summary>
    public SvixVerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        var (id, timestamp, signature) = SignedHeaders(headers);
        return Verify(id, timestamp, signature, body);
    }

    /// <summary>The message id the signature covers (stable across Svix's retries): the key to apply an event once.</summary>
    public static string? MessageId(IHeaderDictionary headers) => SignedHeaders(headers).Id;

    private static (string? Id, string? Timestamp, string? Signature) SignedHeaders(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var svix = ReadHeaders(headers, "svix-");
        return svix.Id is null || svix.Timestamp is null || svix.Signature is null ? ReadHeaders(headers, "webhook-") : svix;
    }

    /// <summary>Verifies a raw body against the three header values (null or empty when absent).</summary>
    public SvixVerificationResult Verify(string? id, string? timestamp, string? signatureHeader, ReadOnlySpan<byte> body)
    {
        if (_keys.Length == 0)
        {
            return SvixVerificationResult.NoSecretConfigured;
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatureHeader))
        {
            return SvixVerificationResult.MissingHeaders;
        }

        // Digits only: the header is signed as sent, so anything looser would only widen what is accepted.
        if (timestamp.Length > 19 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SvixVerificationResult.InvalidTimestamp;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var tolerance = (long)Tolerance.TotalSeconds;
        if (now - seconds > tolerance)
        {
            return SvixVerificationResult.TooOld;
        }

        if (seconds - now > tolerance)
        {
            return SvixVerificationResult.TooNew;
        }

        return MatchesAny(id, timestamp, signatureHeader, body) ? SvixVerificationResult.Valid : SvixVerificationResult.NoMatchingSignature;
    }

    private bool MatchesAny(string id, string timestamp, string signatureHeader, ReadOnlySpan<byte> body)
    {
        var prefixLength = Encoding.UTF8.GetByteCount(id) + timestamp.Length + 2;
        var content = ArrayPool<byte>.Shared.Rent(prefixLength + body.Length);
        try
        {
            var written = Encoding.UTF8.GetBytes($"{id}.{timestamp}.", content);
            body.CopyTo(content.AsSpan(written));
            var signed = content.AsSpan(0, written + body.Length);

            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            Span<char> expected = stackalloc char[SignatureBase64Length];
            foreach (var key in _keys)
            {
                HMACSHA256.HashData(key, signed, mac);
                if (!Convert.TryToBase64Chars(mac, expected, out _))
                {
                    continue;
                }

                foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var comma = entry.IndexOf(',', StringComparison.Ordinal);
                    if (comma < 0 || !entry.AsSpan(0, comma).SequenceEqual("v1"))
                    {
                        continue;
                    }

                    var candidate = entry.AsSpan(comma + 1);
                    if (candidate.Length == expected.Length
                        && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(candidate), MemoryMarshal.AsBytes<char>(expected)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }

    private static (string? Id, string? Timestamp, string? Signature) ReadHeaders(IHeaderDictionary headers, string prefix) =>
        (Single(headers[prefix + "id"]), Single(headers[prefix + "timestamp"]),
         // Repeated signature headers are read as one list of entries.
         headers[prefix + "signature"] is { Count: > 0 } signatures ? string.Join(' ', signatures.Where(s => !string.IsNullOrEmpty(s))) : null);

    // A repeated id or timestamp is ambiguous: treated as absent, so the request is refused.
    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;
}
