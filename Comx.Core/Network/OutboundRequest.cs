using System.Diagnostics.CodeAnalysis;

namespace Comx.Core.Network;

/// <summary>
/// One outbound request, such as a webhook delivery. Redirects are never followed: a 3xx comes back as a response
/// with that status, which a delivery treats as a failure.
/// </summary>
/// <param name="Url">Target; checked again against the guard (literal host and every resolved address) at send time.</param>
public sealed record OutboundRequest(Uri Url)
{
    public HttpMethod Method { get; init; } = HttpMethod.Post;

    /// <summary>Extra headers (signature, event, delivery id, …). Host, Content-Length, Connection and Transfer-Encoding are refused.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The exact bytes to send (what was signed); null for no body.</summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "The exact signed bytes; a record carrying a buffer.")]
    public byte[]? Body { get; init; }

    public string ContentType { get; init; } = "application/json";

    public string UserAgent { get; init; } = GuardedHttpClient.DeliveryUserAgent;

    /// <summary>For connecting, sending and reading the start of the response.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How much of the response body to keep for the delivery log.</summary>
    public int MaxResponseBytes { get; init; } = 4096;
}

/// <summary>What the target answered: any status, including 3xx, 4xx and 5xx.</summary>
/// <param name="StatusCode">Whatever came back, 3xx included (redirects are not followed).</param>
/// <param name="Headers">Response and content headers, multiple values joined with ", ".</param>
/// <param name="Body">The first <see cref="OutboundRequest.MaxResponseBytes"/> bytes of the body, as UTF-8 text.</param>
/// <param name="BodyTruncated">True when the body was longer than what was kept.</param>
/// <param name="Latency">From sending the request to reading the kept part of the body.</param>
public sealed record OutboundResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body, bool BodyTruncated, TimeSpan Latency)
{
    public bool IsSuccessStatusCode => StatusCode is >= 200 and <= 299;
}

/// <summary>The outcome of <see cref="GuardedHttpClient.SendAsync"/>: a response, or a failure that prevented one.</summary>
public sealed record SendResult
{
    private SendResult(OutboundResponse? response, NetworkFailure? failure, TimeSpan latency)
    {
        Response = response;
        Failure = failure;
        Latency = latency;
    }

    public OutboundResponse? Response { get; }

    public NetworkFailure? Failure { get; }

    /// <summary>Time spent, whether or not a response came back.</summary>
    public TimeSpan Latency { get; }

    [MemberNotNullWhen(true, nameof(Response))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Responded => Response is not null;

    public static SendResult Success(OutboundResponse response) => new(response, null, response.Latency);

    public static SendResult Fail(NetworkFailure failure, TimeSpan latency) => new(null, failure, latency);
}
