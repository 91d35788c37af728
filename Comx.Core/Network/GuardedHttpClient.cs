using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Options;

namespace Comx.Core.Network;

/// <summary>
/// The only way Core talks to URLs that organisations supply. Each connection resolves the host itself, refuses it
/// unless every resolved address passes the <see cref="NetworkGuard"/>, and connects to an address it checked, so DNS
/// rebinding cannot swap in another one between check and connect. Redirects are followed by hand (fetches only), each
/// hop checked again. No proxy, no cookies, no credentials. Expected failures come back as values.
/// </summary>
public sealed class GuardedHttpClient : IDisposable
{
    public const string IngestUserAgent = "comxbot-ingest/1.0 (+https://comxbot.com/bot)";
    public const string DeliveryUserAgent = "comxbot-webhooks/1.0 (+https://comxbot.com/bot)";

    private const string Accept = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.9,application/pdf;q=0.9,*/*;q=0.1";

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Connection",
    };

    private readonly IOptions<NetworkOptions> _options;
    private readonly TimeProvider _time;
    private readonly Resolver _resolve;
    private readonly Connector _connect;
    private readonly HttpMessageInvoker _invoker;

    public GuardedHttpClient(IOptions<NetworkOptions> options, TimeProvider timeProvider)
        : this(options, timeProvider, resolve: null, connect: null)
    {
    }

    /// <param name="options">Read on every request and connection, for <see cref="NetworkOptions.AllowPrivateTargets"/>.</param>
    /// <param name="timeProvider">Timeouts and latency.</param>
    /// <param name="resolve">Test seam: name resolution (default: the system resolver).</param>
    /// <param name="connect">Test seam: opens a TCP stream to an address the guard has already allowed.</param>
    internal GuardedHttpClient(IOptions<NetworkOptions> options, TimeProvider timeProvider, Resolver? resolve, Connector? connect)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _time = timeProvider;
        _resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
        _connect = connect ?? ConnectSocketAsync;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // A proxy would resolve and connect on our behalf, out of the guard's sight.
            UseProxy = false,
            UseCookies = false,
            PreAuthenticate = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectCallback = ConnectAsync,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxResponseHeadersLength = 64,
        };
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    internal delegate Task<IPAddress[]> Resolver(string host, CancellationToken cancellationToken);

    internal delegate ValueTask<Stream> Connector(IPEndPoint endpoint, CancellationToken cancellationToken);

    /// <summary>
    /// GETs a document for ingestion: follows up to <see cref="FetchLimits.MaxRedirects"/> redirects (each hop checked),
    /// succeeds only on 2xx, and refuses bodies over <see cref="FetchLimits.MaxBodyBytes"/> whatever Content-Length says.
    /// Cancelling <paramref name="cancellationToken"/> throws; running out of time is <see cref="NetworkFailureKind.Timeout"/>.
    /// </summary>
    public async Task<FetchResult> FetchAsync(string url, FetchLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= FetchLimits.Default;
        var allowPrivate = _options.Value.AllowPrivateTargets;
        if (NetworkGuard.CheckUrl(url, allowPrivate, out var current) is { } invalid)
        {
            return FetchResult.Fail(invalid);
        }

        using var timeout = new CancellationTokenSource(limits.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            request.Headers.TryAddWithoutValidation("User-Agent", IngestUserAgent);
            request.Headers.TryAddWithoutValidation("Accept", Accept);
            try
            {
                using var response = await _invoker.SendAsync(request, linked.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and <= 399 && response.Headers.Location is { } location)
                {
                    if (redirects >= limits.MaxRedirects)
                    {
                        return FetchResult.Fail(new(NetworkFailureKind.TooManyRedirects,
                            $"Gave up after {limits.MaxRedirects} redirects; {current} redirects again.", current, status));
                    }

                    if (NetworkGuard.CheckUri(Resolve(current!, location), allowPrivate, out var next) is { } refused)
                    {
                        return FetchResult.Fail(refused with { Message = $"{current} redirects to a refused target: {refused.Message}" });
                    }

                    current = next;
                    continue;
                }

                if (status is < 200 or > 299)
                {
                    return FetchResult.Fail(new(NetworkFailureKind.HttpStatus,
                        $"The server answered {status} {response.ReasonPhrase}".TrimEnd() + ".", current, status));
                }

                if (response.Content.Headers.ContentLength > limits.MaxBodyBytes)
                {
                    return FetchResult.Fail(TooLarge(current!, limits.MaxBodyBytes));
                }

                var (body, complete) = await ReadAtMostAsync(response.Content, limits.MaxBodyBytes, linked.Token);
                if (!complete)
                {
                    return FetchResult.Fail(TooLarge(current!, limits.MaxBodyBytes));
                }

                var contentType = response.Content.Headers.TryGetValues("Content-Type", out var types) ? string.Join(", ", types) : null;
                return FetchResult.Success(new FetchedContent(current!, status, contentType, body, redirects));
            }
            catch (Exception e) when (Describe(e, current, timeout, limits.Timeout, cancellationToken) is { } failure)
            {
                return FetchResult.Fail(failure);
            }
        }
    }

    /// <summary>
    /// Sends one request (a webhook delivery) without following redirects and returns whatever status came back, with
    /// the response headers and the start of its body. Failures to get any response are values; a non-2xx is not a
    /// failure here (see <see cref="OutboundResponse.IsSuccessStatusCode"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A header the transport owns (Host, Content-Length, Connection, …) was supplied.</exception>
    public async Task<SendResult> SendAsync(OutboundRequest outbound, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outbound);
        var started = _time.GetTimestamp();
        if (NetworkGuard.CheckUri(outbound.Url, _options.Value.AllowPrivateTargets, out var url) is { } invalid)
        {
            return SendResult.Fail(invalid, TimeSpan.Zero);
        }

        using var request = BuildRequest(outbound, url!);
        using var timeout = new CancellationTokenSource(outbound.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _invoker.SendAsync(request, linked.Token);
            var (body, complete) = await ReadAtMostAsync(response.Content, outbound.MaxResponseBytes, linked.Token);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                headers[name] = string.Join(", ", values);
            }

            return SendResult.Success(new OutboundResponse((int)response.StatusCode, headers, DecodeUtf8Prefix(body), !complete, _time.GetElapsedTime(started)));
        }
        catch (Exception e) when (Describe(e, url, timeout, outbound.Timeout, cancellationToken) is { } failure)
        {
            return SendResult.Fail(failure, _time.GetElapsedTime(started));
        }
    }

    public void Dispose() => _invoker.Dispose();

    private static HttpRequestMessage BuildRequest(OutboundRequest outbound, Uri url)
    {
        var request = new HttpRequestMessage(outbound.Method, url);
        if (outbound.Body is not null)
        {
            request.Content = new ByteArrayContent(outbound.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", outbound.ContentType);
        }

        request.Headers.TryAddWithoutValidation("User-Agent", outbound.UserAgent);
        foreach (var (name, value) in outbound.Headers)
        {
            if (ReservedHeaders.Contains(name))
            {
                request.Dispose();
                throw new ArgumentException($"The header {name} is set by the transport and cannot be supplied.", nameof(outbound));
            }

            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.Remove(name);
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var url = context.InitialRequestMessage.RequestUri;
        IPAddress[] addresses;
        if (NetworkGuard.TryParseLiteral(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(host, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new GuardRefusalException(new(NetworkFailureKind.DnsFailure, $"The host {host} could not be resolved ({e.SocketErrorCode}).", url));
            }

            if (addresses.Length == 0)
            {
                throw new GuardRefusalException(new(NetworkFailureKind.DnsFailure, $"The host {host} has no addresses.", url));
            }
        }

        // Every address must pass, not just the one we would use: otherwise a name with one public and one private
        // record would be refused or allowed depending on ordering.
        var allowPrivate = _options.Value.AllowPrivateTargets;
        foreach (var address in addresses)
        {
            var addressClass = NetworkGuard.Classify(address);
            if (!NetworkGuard.IsAllowed(addressClass, allowPrivate))
            {
                throw new GuardRefusalException(NetworkGuard.Blocked(url, host, address, addressClass));
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await _connect(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
            }
            catch (SocketException e)
            {
                last = e;
            }
        }

        throw last!;
    }

    private static async ValueTask<Stream> ConnectSocketAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Maps an exception to an expected failure; null (rethrow) for caller cancellation and the unexpected.</summary>
    private static NetworkFailure? Describe(Exception exception, Uri? url, CancellationTokenSource timeout, TimeSpan limit, CancellationToken callerToken)
    {
        if (callerToken.IsCancellationRequested)
        {
            return null;
        }

        if (timeout.IsCancellationRequested)
        {
            return new(NetworkFailureKind.Timeout, $"No complete response from {url?.Host} within {limit.TotalSeconds:0.###} s.", url);
        }

        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is GuardRefusalException refusal)
            {
                return refusal.Failure;
            }
        }

        return exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } or HttpRequestException { InnerException: AuthenticationException } =>
                new(NetworkFailureKind.ConnectionFailed, $"The TLS handshake with {url?.Host} failed.", url),
            HttpRequestException { InnerException: SocketException socket } =>
                new(NetworkFailureKind.ConnectionFailed, $"Could not connect to {url?.Host} ({socket.SocketErrorCode}).", url),
            HttpRequestException http =>
                new(NetworkFailureKind.ConnectionFailed, $"The exchange with {url?.Host} failed ({http.HttpRequestError}).", url),
            IOException or InvalidDataException =>
                new(NetworkFailureKind.ConnectionFailed, $"The response from {url?.Host} broke off or could not be decoded.", url),
            _ => null,
        };
    }

    private static Uri Resolve(Uri current, Uri location)
    {
        // On Unix "/path" parses as an absolute file:// URI; a Location header means it relative to the request.
        if (location.IsAbsoluteUri && location.IsFile && location.OriginalString.StartsWith('/'))
        {
            return new Uri(current, location.OriginalString);
        }

        return location.IsAbsoluteUri ? location : new Uri(current, location);
    }

    private static NetworkFailure TooLarge(Uri url, long max) =>
        new(NetworkFailureKind.TooLarge, $"The document is larger than {max / (1024.0 * 1024.0):0.##} MB.", url);

    /// <summary>Reads at most <paramref name="max"/> bytes; complete is false when there was more.</summary>
    private static async Task<(byte[] Body, bool Complete)> ReadAtMostAsync(HttpContent content, long max, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var declared = content.Headers.ContentLength;
        using var body = new MemoryStream((int)Math.Min(declared is { } length && length <= max ? length : 64 * 1024, max));
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (body.Length + read > max)
                {
                    body.Write(chunk, 0, (int)(max - body.Length));
                    return (body.ToArray(), false);
                }

                body.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (body.ToArray(), true);
    }

    private static string DecodeUtf8Prefix(byte[] bytes)
    {
        // flush: false leaves a multi-byte character cut at the limit out instead of turning it into U+FFFD.
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var count = decoder.GetChars(bytes, 0, bytes.Length, chars, 0, flush: false);
        return new string(chars, 0, count);
    }

    /// <summary>Carries a guard or DNS refusal out of the connect callback, through HttpClient's exception wrapping.</summary>
    private sealed class GuardRefusalException(NetworkFailure failure) : IOException(failure.Message)
    {
        public NetworkFailure Failure { get; } = failure;
    }
}
