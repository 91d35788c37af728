namespace Comx.Core.Network;

/// <summary>Why an outbound request produced no usable response.</summary>
public enum NetworkFailureKind
{
    /// <summary>Not an absolute http(s) URL, has user information, or a redirect pointed somewhere unusable.</summary>
    InvalidUrl,

    /// <summary>The host is, or resolves to, an address the <see cref="NetworkGuard"/> refuses.</summary>
    BlockedAddress,

    /// <summary>The host name did not resolve.</summary>
    DnsFailure,

    /// <summary>Could not connect, TLS failed, or the connection broke mid-response.</summary>
    ConnectionFailed,

    /// <summary>The whole exchange (every hop and the body) took longer than allowed.</summary>
    Timeout,

    /// <summary>More redirects than allowed.</summary>
    TooManyRedirects,

    /// <summary>The body is larger than allowed (declared or actually sent).</summary>
    TooLarge,

    /// <summary>The server answered with a status that is not a success (fetches only; sends return the status).</summary>
    HttpStatus,
}

/// <summary>An expected failure of an outbound request, with a message fit to show the organisation.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Message">One sentence, naming the host or address concerned.</param>
/// <param name="Url">The URL of the hop that failed, when there was one.</param>
/// <param name="StatusCode">The HTTP status for <see cref="NetworkFailureKind.HttpStatus"/>.</param>
public sealed record NetworkFailure(NetworkFailureKind Kind, string Message, Uri? Url = null, int? StatusCode = null);
