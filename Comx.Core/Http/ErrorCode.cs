namespace Comx.Core.Http;

/// <summary>Every error the API returns, with its HTTP status. The wire form is <c>COMX_</c> + the upper snake name.</summary>
public enum ErrorCode
{
    ValidationError,
    Unauthenticated,
    Forbidden,
    NotFound,
    IdempotencyConflict,
    PolicyBlock,
    PayloadTooLarge,
    MethodNotAllowed,
    RateLimited,
    ProviderUnavailable,
    InternalError,

    /// <summary>The request body did not arrive in time (the server's own refusal, 408).</summary>
    RequestTimeout,

    /// <summary>The request target is longer than the server accepts (414).</summary>
    UriTooLong,

    /// <summary>The request headers are larger than the server accepts (431).</summary>
    HeadersTooLarge,
}

public static class ErrorCodes
{
    public static int Status(this ErrorCode code) => code switch
    {
        ErrorCode.ValidationError => 400,
        ErrorCode.Unauthenticated => 401,
        ErrorCode.Forbidden => 403,
        ErrorCode.PolicyBlock => 403,
        ErrorCode.NotFound => 404,
        ErrorCode.MethodNotAllowed => 405,
        ErrorCode.IdempotencyConflict => 409,
        ErrorCode.PayloadTooLarge => 413,
        ErrorCode.RateLimited => 429,
        ErrorCode.ProviderUnavailable => 503,
        ErrorCode.RequestTimeout => 408,
        ErrorCode.UriTooLong => 414,
        ErrorCode.HeadersTooLarge => 431,
        _ => 500,
    };

    public static string WireName(this ErrorCode code) => code switch
    {
        ErrorCode.ValidationError => "COMX_VALIDATION_ERROR",
        ErrorCode.Unauthenticated => "COMX_UNAUTHENTICATED",
        ErrorCode.Forbidden => "COMX_FORBIDDEN",
        ErrorCode.NotFound => "COMX_NOT_FOUND",
        ErrorCode.IdempotencyConflict => "COMX_IDEMPOTENCY_CONFLICT",
        ErrorCode.PolicyBlock => "COMX_POLICY_BLOCK",
        ErrorCode.PayloadTooLarge => "COMX_PAYLOAD_TOO_LARGE",
        ErrorCode.MethodNotAllowed => "COMX_METHOD_NOT_ALLOWED",
        ErrorCode.RateLimited => "COMX_RATE_LIMITED",
        ErrorCode.ProviderUnavailable => "COMX_PROVIDER_UNAVAILABLE",
        ErrorCode.RequestTimeout => "COMX_REQUEST_TIMEOUT",
        ErrorCode.UriTooLong => "COMX_URI_TOO_LONG",
        ErrorCode.HeadersTooLarge => "COMX_HEADERS_TOO_LARGE",
        _ => "COMX_INTERNAL_ERROR",
    };
}
