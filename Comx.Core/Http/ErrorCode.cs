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
        _ => "COMX_INTERNAL_ERROR",
    };
}
