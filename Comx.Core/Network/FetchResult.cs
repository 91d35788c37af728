using System.Diagnostics.CodeAnalysis;

namespace Comx.Core.Network;

/// <summary>Limits for one fetch. The defaults are the ingestion limits.</summary>
public sealed record FetchLimits
{
    public static readonly FetchLimits Default = new();

    /// <summary>For the whole exchange: every redirect hop, headers and body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest body accepted, after content decoding (so a small gzip bomb is refused too).</summary>
    public long MaxBodyBytes { get; init; } = 5 * 1024 * 1024;

    /// <summary>Redirects followed; one more is <see cref="NetworkFailureKind.TooManyRedirects"/>.</summary>
    public int MaxRedirects { get; init; } = 5;
}

/// <summary>A fetched document: the body of a 2xx response after any redirects.</summary>
/// <param name="FinalUrl">The URL that answered, after redirects.</param>
/// <param name="StatusCode">The 2xx status.</param>
/// <param name="ContentType">The Content-Type header as sent (may carry a charset), or null.</param>
/// <param name="Content">The body after content decoding (gzip, br, deflate), at most the byte limit.</param>
/// <param name="Redirects">How many redirects were followed.</param>
public sealed record FetchedContent(
    Uri FinalUrl,
    int StatusCode,
    string? ContentType,
    [property: SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "The fetched bytes, handed on once.")] byte[] Content,
    int Redirects);

/// <summary>The outcome of <see cref="GuardedHttpClient.FetchAsync"/>: content or a failure, never both.</summary>
public sealed record FetchResult
{
    private FetchResult(FetchedContent? content, NetworkFailure? failure)
    {
        Content = content;
        Failure = failure;
    }

    public FetchedContent? Content { get; }

    public NetworkFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Content))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Content is not null;

    public static FetchResult Success(FetchedContent content) => new(content, null);

    public static FetchResult Fail(NetworkFailure failure) => new(null, failure);
}
