using Microsoft.AspNetCore.Http;

namespace Comx.Core.Http;

/// <summary>
/// A finished HTTP response: status, headers and body bytes. Both hosts execute it, and the idempotency store
/// keeps it, so a replay is byte-for-byte the first response.
/// </summary>
public sealed class ComxResponse : IResult
{
    public ComxResponse(int status, byte[] body, string? contentType, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
        Headers = headers is null ? [] : new List<KeyValuePair<string, string>>(headers);
    }

    public int Status { get; }

    public byte[] Body { get; }

    public string? ContentType { get; }

    public List<KeyValuePair<string, string>> Headers { get; }

    public string? Header(string name) =>
        Headers.LastOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public void SetHeader(string name, string value)
    {
        Headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
        Headers.Add(new(name, value));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        if (ContentType is not null)
        {
            response.ContentType = ContentType;
        }

        if (Body.Length > 0 && !HttpMethods.IsHead(httpContext.Request.Method))
        {
            response.ContentLength = Body.Length;
            await response.Body.WriteAsync(Body, httpContext.RequestAborted);
        }
    }
}
