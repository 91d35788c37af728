using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Network;
using Comx.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Comx.Core;

/// <summary>
/// The request pipeline, the one place every request passes through (design.md "Request pipeline"). It composes the
/// steps the features provide (authentication and CORS from Identity, the network settings), so it sits at the root
/// with the route table, and <c>Comx.Core.Http</c> depends on no feature. Per route, the
/// table declares auth kind, rate limit, request type and idempotency; the steps are:
/// request id → body limit → CORS → auth-failure throttle → authentication → rate limit → parse and validate →
/// idempotency → handler. Every failure leaves as the error envelope; anything unexpected becomes a 500 without internals.
/// </summary>
public sealed partial class RequestPipeline(
    RouteTable routes,
    RateLimiter rateLimiter,
    IdempotencyStore idempotency,
    RequestAuthenticator authenticator,
    CorsPolicy cors,
    IOptions<NetworkOptions> network,
    IdGenerator ids,
    TimeProvider time,
    IServiceProvider services,
    ILogger<RequestPipeline> logger)
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const string RequestIdHeader = "X-Request-Id";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 255;

    private static readonly byte[] EmptyBody = [];

    /// <summary>Entry point for a host that has already routed the request (one Azure Function per route).</summary>
    public async Task<IResult> HandleAsync(string routeName, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var route = routes.Get(routeName);
        return await RunAsync(route, RouteTable.ValuesFor(route, request.Path), request, cancellationToken);
    }

    /// <summary>Entry point that routes by itself: the DevHost, and the Functions catch-all (unknown routes, wrong methods, preflights).</summary>
    public async Task<IResult> DispatchAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var match = routes.Match(request.Method, request.Path);
        switch (match)
        {
            case RouteMatch.Found found:
                return await RunAsync(found.Route, found.Values, request, cancellationToken);
            case RouteMatch.WrongMethod wrong when HttpMethods.IsOptions(request.Method):
                return await Guard(request, requestId => cors.PreflightAsync(request, wrong.AnyRoute, wrong.Allowed, requestId, cancellationToken));
            case RouteMatch.WrongMethod wrong:
                return await Guard(request, requestId =>
                {
                    var response = Error(requestId, new ApiError(ErrorCode.MethodNotAllowed,
                        $"{request.Method} is not allowed here. Allowed: {string.Join(", ", wrong.Allowed)}."));
                    response.SetHeader("Allow", string.Join(", ", wrong.Allowed));
                    return Task.FromResult(response);
                });
            default:
                return await Guard(request, requestId => Task.FromResult(Error(requestId,
                    new ApiError(ErrorCode.NotFound, $"No route matches {request.Method} {request.Path}."))));
        }
    }

    private async Task<ComxResponse> Guard(HttpRequest request, Func<string, Task<ComxResponse>> run)
    {
        var requestId = ids.New("req");
        ComxResponse response;
        try
        {
            response = ServerLimits.Check(request) is { } tooLarge ? Error(requestId, tooLarge) : await run(requestId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            response = Error(requestId, Refusal(exception, requestId, request.Path));
        }

        response.SetHeader(RequestIdHeader, requestId);
        response.SetHeader("X-Content-Type-Options", "nosniff");
        return response;
    }

    /// <summary>
    /// What an exception that escaped the steps is told to the client, decided once here for every route: the server's
    /// own refusal of the request (a body too slow or cut short), an unreachable dependency (503, retryable), a value
    /// too large to store (400), else 500 without internals.
    /// </summary>
    private ApiError Refusal(Exception exception, string requestId, string path)
    {
        if (exception is BadHttpRequestException bad)
        {
            LogBadRequest(logger, requestId, bad.StatusCode, bad.Message);
            return bad.StatusCode switch
            {
                StatusCodes.Status408RequestTimeout => new ApiError(ErrorCode.RequestTimeout, "The request body arrived too slowly. Send it again.", Retryable: true),
                StatusCodes.Status413PayloadTooLarge => new ApiError(ErrorCode.PayloadTooLarge, $"The request body is larger than {MaxBodyBytes} bytes."),
                _ => ApiError.Validation("body", "The request body could not be read (cut short or malformed framing)."),
            };
        }

        if (ProviderFailure.Classify(exception) is { } classified)
        {
            LogProviderFailure(logger, exception, requestId, path, classified.Code.WireName());
            return classified;
        }

        LogUnhandled(logger, exception, requestId, path);
        return ApiError.Internal();
    }

    private async Task<IResult> RunAsync(RouteDefinition route, IReadOnlyDictionary<string, string> values, HttpRequest request, CancellationToken cancellationToken)
    {
        var started = new StrongBox<RequestContext?>();
        var response = await Guard(request, requestId => RunStepsAsync(route, values, request, requestId, started, cancellationToken));
        if (route.Auth == RouteAuth.Public)
        {
            // After the steps, so the grant is decided by the organisation the request itself names (widget key, session,
            // answer), on errors as well as on success.
            await cors.AddGrantAsync(request, values, started.Value, response, cancellationToken);
        }

        return response;
    }

    private async Task<ComxResponse> RunStepsAsync(RouteDefinition route, IReadOnlyDictionary<string, string> values, HttpRequest request,
        string requestId, StrongBox<RequestContext?> started, CancellationToken cancellationToken)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var clientIp = ClientIp.Resolve(request, network.Value.ForwardedHops);

        var body = await ReadBodyAsync(request, route.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Error(requestId, new ApiError(ErrorCode.PayloadTooLarge, $"The request body is larger than {route.MaxBodyBytes} bytes."), headers);
        }

        var context = new RequestContext(requestId, route, request, values, body, clientIp, services);
        started.Value = context;

        if (route.Auth.ChecksCredentials() && await AuthenticateAsync(context, headers, cancellationToken) is { } denied)
        {
            return Error(requestId, denied, headers);
        }

        if (route.EffectiveRateLimit is { } policy && !route.RateLimitedByHandler)
        {
            var key = context.Caller is { } caller ? $"{caller.OrgId}:{caller.Id}" : clientIp;
            var decision = await rateLimiter.HitAsync(policy, key, cancellationToken);
            headers.Add(new("X-RateLimit-Limit", decision.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            headers.Add(new("X-RateLimit-Remaining", decision.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            headers.Add(new("X-RateLimit-Reset", decision.Reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (!decision.Allowed)
            {
                var retryAfter = decision.RetryAfterSeconds(time.GetUtcNow());
                headers.Add(new("Retry-After", retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return Error(requestId, new ApiError(ErrorCode.RateLimited, $"Rate limit of {decision.Limit} requests per minute reached. Retry in {retryAfter} s.",
                    new Dictionary<string, object?> { ["limit"] = decision.Limit, ["retry_after_seconds"] = retryAfter }, Retryable: true), headers);
            }
        }

        if (values.FirstOrDefault(v => !StorageKeys.IsSafeKey(v.Value)) is { Key: { } badName })
        {
            // No stored id can contain these characters (ids are letters, digits and _-.:), so the resource cannot exist.
            return Error(requestId, ApiError.NotFound(badName.EndsWith("Id", StringComparison.Ordinal) ? badName[..^2] : badName), headers);
        }

        if (route.RequestType is { } requestType)
        {
            var parsed = Parse(request, body, requestType);
            if (parsed.Error is { } parseError)
            {
                return Error(requestId, parseError, headers);
            }

            context.Body = parsed.Value;
        }

        IdempotencyClaim.Acquired? claim = null;
        if (route.Idempotent && request.Headers.TryGetValue(IdempotencyKeyHeader, out var rawKey))
        {
            var key = rawKey.ToString();
            if (key.Length is 0 or > MaxIdempotencyKeyLength)
            {
                return Error(requestId, ApiError.Validation(IdempotencyKeyHeader, $"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} characters."), headers);
            }

            var scope = context.Caller is { } orgCaller
                ? "org:" + orgCaller.OrgId
                : $"pub:{clientIp}:{(context.Body as IPublicScoped)?.IdempotencyScope}";
            var fingerprint = Fingerprint(route, request.Path, body);
            switch (await idempotency.ClaimAsync(scope, route.Name, key, fingerprint, cancellationToken))
            {
                case IdempotencyClaim.Replay replay:
                    var replayed = replay.Response;
                    replayed.SetHeader("Idempotent-Replayed", "true");
                    foreach (var (name, value) in headers)
                    {
                        replayed.SetHeader(name, value);
                    }

                    return replayed;
                case IdempotencyClaim.Mismatch:
                    return Error(requestId, ApiError.Conflict("This Idempotency-Key was already used with a different request. Use a new key for a new request."), headers);
                case IdempotencyClaim.InFlight:
                    headers.Add(new("Retry-After", "1"));
                    return Error(requestId, ApiError.Conflict("A request with this Idempotency-Key is still being processed. Retry shortly.", retryable: true), headers);
                case IdempotencyClaim.Acquired acquired:
                    claim = acquired;
                    break;
            }
        }

        ComxResponse response;
        try
        {
            var result = await route.Handler(context, cancellationToken);
            response = ToResponse(requestId, result);
        }
        catch
        {
            if (claim is not null)
            {
                await idempotency.ReleaseAsync(claim, CancellationToken.None);
            }

            throw;
        }

        if (claim is not null)
        {
            // Stored before the per-request headers are added, so a replay carries only what the handler produced.
            await idempotency.CompleteAsync(claim, response, CancellationToken.None);
        }

        foreach (var (name, value) in headers)
        {
            response.SetHeader(name, value);
        }

        return response;
    }

    /// <summary>
    /// Authentication behind the per-IP failure throttle. A caller already over the limit is refused before any credential
    /// is looked at. A failure is counted first and the count decides the answer (increment, then check), so of any number
    /// of concurrent bad credentials from one address only the first <see cref="RateLimitPolicy.AuthFailures"/> limit are
    /// told 401; the rest get 429.
    /// </summary>
    private async Task<ApiError?> AuthenticateAsync(RequestContext context, List<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var throttle = await rateLimiter.PeekAsync(RateLimitPolicy.AuthFailures, context.ClientIp, cancellationToken);
        if (throttle.Allowed)
        {
            var outcome = await authenticator.AuthenticateAsync(context.Route.Auth, context.Request, context.RawBody, cancellationToken);
            if (outcome is AuthOutcome.Allowed allowed)
            {
                context.Caller = allowed.Caller;
                return null;
            }

            var denied = (AuthOutcome.Denied)outcome;
            if (!denied.CountsAsFailure)
            {
                return denied.Error;
            }

            throttle = await rateLimiter.HitAsync(RateLimitPolicy.AuthFailures, context.ClientIp, cancellationToken);
            if (throttle.Allowed)
            {
                return denied.Error;
            }
        }

        headers.Add(new("Retry-After", throttle.RetryAfterSeconds(time.GetUtcNow()).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new ApiError(ErrorCode.RateLimited, "Too many failed authentication attempts from this address. Retry later.", Retryable: true);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return null;
        }

        if (request.ContentLength == 0 || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return EmptyBody;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ApiResultOr<object> Parse(HttpRequest request, byte[] body, Type requestType)
    {
        if (body.Length == 0)
        {
            return ApiError.Validation("body", "A JSON request body is required.");
        }

        var contentType = request.ContentType;
        if (contentType is null || !contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ApiError.Validation("content_type", "Content-Type must be application/json.");
        }

        object? value;
        try
        {
            value = JsonSerializer.Deserialize(body, requestType, ComxJson.Options);
        }
        catch (JsonException exception)
        {
            return ApiError.Validation(FieldOf(exception), JsonProblem(exception));
        }

        if (value is null)
        {
            return ApiError.Validation("body", "The request body must be a JSON object.");
        }

        if (NullElements.Find(value) is { } nullField)
        {
            return ApiError.Validation(nullField, $"{nullField} may not be null.");
        }

        if (value is IValidatable validatable)
        {
            var errors = validatable.Validate().ToList();
            if (errors.Count > 0)
            {
                return ApiError.Validation(errors);
            }
        }

        return value;
    }

    private static string FieldOf(JsonException exception)
    {
        const string missing = "missing required properties including: ";
        var message = exception.Message;
        var at = message.IndexOf(missing, StringComparison.Ordinal);
        if (at >= 0)
        {
            return message[(at + missing.Length)..].Split(',')[0].Trim().Trim('\'', '.');
        }

        var path = exception.Path;
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            // An unknown member is reported on its parent; name it from the message.
            var unknown = "could not be mapped to any .NET member contained in type";
            if (message.Contains(unknown, StringComparison.Ordinal) && message.IndexOf('\'', StringComparison.Ordinal) is var start and >= 0)
            {
                var end = message.IndexOf('\'', start + 1);
                return end > start ? message[(start + 1)..end] : "body";
            }

            return "body";
        }

        return path.TrimStart('$', '.').Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal);
    }

    private static string JsonProblem(JsonException exception)
    {
        var message = exception.Message;
        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return $"{FieldOf(exception)} is required.";
        }

        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return $"{FieldOf(exception)} is not a field of this request.";
        }

        if (exception.Path is { Length: > 1 })
        {
            return $"{FieldOf(exception)} has the wrong type or format.";
        }

        return "The request body is not valid JSON.";
    }

    private static string Fingerprint(RouteDefinition route, string path, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(route.Name + "\n" + path + "\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static ComxResponse ToResponse(string requestId, ApiResult result)
    {
        if (result.Error is { } error)
        {
            return Error(requestId, error, result.Headers);
        }

        var response = result.RawBody is { } raw
            ? new ComxResponse(result.Status, raw, result.ContentType)
            : new ComxResponse(result.Status, result.Body is null ? EmptyBody : ComxJson.SerializeToUtf8Bytes(result.Body), result.Body is null ? null : "application/json; charset=utf-8");
        if (result.Headers is { } extra)
        {
            foreach (var (name, value) in extra)
            {
                response.SetHeader(name, value);
            }
        }

        return response;
    }

    /// <summary>The error envelope (design.md): code, message, request id, retryable, details.</summary>
    public static ComxResponse Error(string requestId, ApiError error, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var retryable = error.Retryable || error.Code is ErrorCode.RateLimited or ErrorCode.ProviderUnavailable or ErrorCode.InternalError;
        var envelope = new ErrorEnvelope(new ErrorBody(error.Code.WireName(), error.Message, requestId, retryable, error.Details));
        return new ComxResponse(error.Code.Status(), ComxJson.SerializeToUtf8Bytes(envelope), "application/json; charset=utf-8", headers);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for request {RequestId} on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string requestId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} on {Path} answered {Code}: a dependency failed")]
    private static partial void LogProviderFailure(ILogger logger, Exception exception, string requestId, string path, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} refused by the server with {Status}: {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string requestId, int status, string reason);
}

public sealed record ErrorEnvelope(ErrorBody Error);

public sealed record ErrorBody(string Code, string Message, string RequestId, bool Retryable,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, object?>? Details);
