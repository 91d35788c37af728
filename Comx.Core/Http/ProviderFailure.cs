using System.Net.Sockets;
using Azure;

namespace Comx.Core.Http;

/// <summary>
/// Sorts an unexpected exception from a dependency into what the caller should be told. Storage or a provider that
/// cannot be reached (no response, a 5xx, a refused or reset connection, a timeout, or the Azure SDK's
/// <see cref="AggregateException"/> after its own retries) is 503 COMX_PROVIDER_UNAVAILABLE, retryable; a value too
/// large for a Table Storage property is the caller's 400; anything else stays a 500.
/// </summary>
public static class ProviderFailure
{
    public static ApiError? Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (IsTooLarge(exception))
        {
            return ApiError.Validation("body", "A value is too long to be stored. Shorten the longest text fields and retry.");
        }

        return IsUnavailable(exception)
            ? ApiError.ProviderUnavailable("A service this request needs is unreachable at the moment. Retry shortly.")
            : null;
    }

    public static bool IsUnavailable(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnavailable),
        RequestFailedException failed => failed.Status is 0 or 408 or >= 500,
        HttpRequestException or SocketException or IOException or TimeoutException => true,

        // Reached only when the client did not abort (the pipeline filters that case): an SDK or HTTP timeout.
        OperationCanceledException => true,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };

    // Table Storage: a string property holds at most 32K characters and an entity 1 MiB.
    private static bool IsTooLarge(Exception exception) =>
        exception is RequestFailedException { Status: 400 or 413 } failed
        && failed.ErrorCode is "PropertyValueTooLarge" or "EntityTooLarge" or "RequestBodyTooLarge";
}
