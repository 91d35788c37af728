namespace Comx.Core.Http;

/// <summary>What a handler returns: a success body with its status, raw content, or an <see cref="ApiError"/>.</summary>
public sealed class ApiResult
{
    private ApiResult(int status, object? body, ApiError? error, byte[]? raw, string? contentType, IReadOnlyDictionary<string, string>? headers)
    {
        Status = status;
        Body = body;
        Error = error;
        RawBody = raw;
        ContentType = contentType;
        Headers = headers;
    }

    public int Status { get; }

    public object? Body { get; }

    public ApiError? Error { get; }

    public byte[]? RawBody { get; }

    public string? ContentType { get; }

    public IReadOnlyDictionary<string, string>? Headers { get; }

    public static ApiResult Ok(object body) => new(200, body, null, null, null, null);

    public static ApiResult Created(object body) => new(201, body, null, null, null, null);

    public static ApiResult Accepted(object body) => new(202, body, null, null, null, null);

    public static ApiResult NoContent() => new(204, null, null, null, null, null);

    public static ApiResult WithStatus(int status, object body) => new(status, body, null, null, null, null);

    public static ApiResult Raw(int status, byte[] content, string contentType, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, null, null, content, contentType, headers);

    public static ApiResult Fail(ApiError error) => new(error.Code.Status(), null, error, null, null, null);

    public static implicit operator ApiResult(ApiError error) => Fail(error);

    /// <summary>The same result with response headers added (a handler's own rate-limit headers); kept on errors too.</summary>
    public ApiResult WithHeaders(IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in (Headers ?? new Dictionary<string, string>()).Concat(headers))
        {
            merged[name] = value;
        }

        return new(Status, Body, Error, RawBody, ContentType, merged);
    }
}
