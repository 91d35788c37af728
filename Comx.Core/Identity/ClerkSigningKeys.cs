using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Comx.Core.Identity;

/// <summary>How a signing-key lookup ended.</summary>
public enum SigningKeyStatus
{
    Found,
    /// <summary>The key set is loaded but holds no key with the token's <c>kid</c>, even after a refresh.</summary>
    UnknownKey,
    /// <summary>No key set could be loaded (the JWKS endpoint failed and nothing is cached).</summary>
    Unavailable,
}

/// <summary>The keys that may have signed a token; empty unless <see cref="Status"/> is <see cref="SigningKeyStatus.Found"/>.</summary>
public sealed record SigningKeyLookup(SigningKeyStatus Status, IReadOnlyList<SecurityKey> Keys);

/// <summary>
/// Clerk's session-token signing keys: the configured PEM key (networkless), else the JWKS endpoint's keys, cached for
/// <see cref="CacheDuration"/>. A <c>kid</c> not in the cache triggers a refresh, so a rotated key is picked up at once;
/// refreshes are at most one per <see cref="MinimumRefreshInterval"/>, so a flood of made-up <c>kid</c>s (or an outage)
/// cannot hammer the endpoint. A failed refresh keeps the keys already cached.
/// </summary>
public sealed partial class ClerkSigningKeys : IDisposable
{
    public const string HttpClientName = "Comx.Clerk.Jwks";
    public static readonly TimeSpan CacheDuration = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);
    private const int MaxJwksBytes = 256 * 1024;

    private readonly SecurityKey? _pemKey;
    private readonly Uri? _jwksUrl;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<ClerkSigningKeys> _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile KeySet? _keys;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;

    public ClerkSigningKeys(IOptions<ClerkOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<ClerkSigningKeys> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        if (settings.JwtPublicKeyPem is { } pem)
        {
            _pemKey = new RsaSecurityKey(ClerkOptions.TryLoadPublicKey(pem) ?? throw new ArgumentException("Comx:Clerk:JwtPublicKey is not a PEM RSA public key.", nameof(options)));
        }
        else if (!string.IsNullOrWhiteSpace(settings.JwksUrl))
        {
            _jwksUrl = new Uri(settings.JwksUrl, UriKind.Absolute);
        }

        _httpClientFactory = httpClientFactory;
        _time = time;
        _logger = logger;
    }

    /// <summary>The keys for a token whose header carries <paramref name="keyId"/> (null: every current key).</summary>
    public async Task<SigningKeyLookup> FindAsync(string? keyId, CancellationToken cancellationToken = default)
    {
        if (_pemKey is not null)
        {
            // The Dashboard PEM is the instance's one key; the token's kid is not needed to pick it.
            return new SigningKeyLookup(SigningKeyStatus.Found, [_pemKey]);
        }

        if (_jwksUrl is null)
        {
            return new SigningKeyLookup(SigningKeyStatus.Unavailable, []);
        }

        if (_keys is null || IsStale(_keys))
        {
            await RefreshAsync(keys => keys is null || IsStale(keys), cancellationToken);
        }

        if (_keys is { } current && current.Find(keyId) is { Count: > 0 } found)
        {
            return new SigningKeyLookup(SigningKeyStatus.Found, found);
        }

        // An unknown kid may be a key Clerk has just rotated in: look once more, subject to the refresh interval.
        await RefreshAsync(keys => keys is null || keys.Find(keyId).Count == 0, cancellationToken);
        return _keys switch
        {
            null => new SigningKeyLookup(SigningKeyStatus.Unavailable, []),
            var keys when keys.Find(keyId) is { Count: > 0 } refreshed => new SigningKeyLookup(SigningKeyStatus.Found, refreshed),
            _ => new SigningKeyLookup(SigningKeyStatus.UnknownKey, []),
        };
    }

    public void Dispose() => _refresh.Dispose();

    private bool IsStale(KeySet keys) => _time.GetUtcNow() - keys.FetchedAt >= CacheDuration;

    private async Task RefreshAsync(Func<KeySet?, bool> stillNeeded, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have refreshed while this one waited; and whatever the reason, not more than once per interval.
            var now = _time.GetUtcNow();
            if (!stillNeeded(_keys) || now - _lastAttempt < MinimumRefreshInterval)
            {
                return;
            }

            _lastAttempt = now;
            var keys = await FetchAsync(_jwksUrl!, cancellationToken);
            if (keys is not null)
            {
                _keys = new KeySet(keys, now);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<IReadOnlyList<SecurityKey>?> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FetchTimeout);
        try
        {
            var client = _httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogFetchFailed(_logger, url, $"HTTP {(int)response.StatusCode}");
                return null;
            }

            var json = await ReadLimitedAsync(response.Content, timeout.Token);
            if (json is null)
            {
                LogFetchFailed(_logger, url, "response larger than the limit");
                return null;
            }

            var keys = new JsonWebKeySet(json).GetSigningKeys()
                .Where(k => k is RsaSecurityKey or X509SecurityKey && !string.IsNullOrEmpty(k.KeyId))
                .ToList();
            if (keys.Count == 0)
            {
                LogFetchFailed(_logger, url, "no RSA signing key with a kid");
                return null;
            }

            return keys;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogFetchFailed(_logger, url, "timed out");
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or ArgumentException or System.Text.Json.JsonException)
        {
            LogFetchFailed(_logger, url, e.GetType().Name);
            return null;
        }
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxJwksBytes)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxJwksBytes)
            {
                return null;
            }
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load Clerk's signing keys from {Url}: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, Uri url, string reason);

    private sealed record KeySet(IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt)
    {
        public IReadOnlyList<SecurityKey> Find(string? keyId) =>
            keyId is null ? Keys : [.. Keys.Where(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal))];
    }
}
