namespace Comx.Core.Http;

/// <summary>An expected failure, returned as a value and turned into the error envelope by the pipeline.</summary>
public sealed record ApiError(ErrorCode Code, string Message, IReadOnlyDictionary<string, object?>? Details = null, bool Retryable = false)
{
    public static ApiError Validation(string field, string message) =>
        new(ErrorCode.ValidationError, message, new Dictionary<string, object?> { ["field"] = field });

    public static ApiError Validation(IReadOnlyList<FieldError> errors) =>
        new(ErrorCode.ValidationError, errors[0].Message, new Dictionary<string, object?>
        {
            ["field"] = errors[0].Field,
            ["errors"] = errors,
        });

    public static ApiError NotFound(string what) => new(ErrorCode.NotFound, $"No such {what}.");

    public static ApiError Unauthenticated(string message) => new(ErrorCode.Unauthenticated, message);

    public static ApiError Forbidden(string message, string? reason = null, long? limit = null)
    {
        if (reason is null)
        {
            return new(ErrorCode.Forbidden, message);
        }

        var details = new Dictionary<string, object?> { ["reason"] = reason };
        if (limit is not null)
        {
            details["limit"] = limit;
        }

        return new(ErrorCode.Forbidden, message, details);
    }

    public static ApiError Conflict(string message, bool retryable = false) =>
        new(ErrorCode.IdempotencyConflict, message, Retryable: retryable);

    public static ApiError ProviderUnavailable(string message) => new(ErrorCode.ProviderUnavailable, message, Retryable: true);

    public static ApiError Internal() => new(ErrorCode.InternalError, "Something went wrong on our side. Retry later; if it persists, contact support with the request id.", Retryable: true);
}

/// <summary>One field that failed validation. <c>Field</c> is the snake_case JSON path.</summary>
public sealed record FieldError(string Field, string Message);
