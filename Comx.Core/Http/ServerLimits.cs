using Microsoft.AspNetCore.Http;

namespace Comx.Core.Http;

/// <summary>
/// The request-size limits a server would enforce itself, checked here so that the refusal is our envelope in every
/// host. The DevHost sets Kestrel's own limits well above these (see <c>DevHostApp</c>), so requests that break these
/// reach the pipeline instead of getting Kestrel's empty 414/431.
/// </summary>
public static class ServerLimits
{
    /// <summary>Path plus query, as Kestrel's default request-line limit (8 KB) allows.</summary>
    public const int MaxTargetLength = 8 * 1024;

    /// <summary>All header names and values together, Kestrel's default (32 KB).</summary>
    public const int MaxHeadersLength = 32 * 1024;

    public static ApiError? Check(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Path.Value?.Length + request.QueryString.Value?.Length > MaxTargetLength)
        {
            return new ApiError(ErrorCode.UriTooLong, $"The request path and query are longer than {MaxTargetLength} characters.");
        }

        var headers = 0L;
        foreach (var (name, values) in request.Headers)
        {
            headers += name.Length + 4;
            foreach (var value in values)
            {
                headers += value?.Length ?? 0;
            }
        }

        return headers > MaxHeadersLength
            ? new ApiError(ErrorCode.HeadersTooLarge, $"The request headers are larger than {MaxHeadersLength} bytes together.")
            : null;
    }
}
