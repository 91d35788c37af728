using Microsoft.AspNetCore.Http;

namespace Comx.Core.Http;

public enum CallerType
{
    User,
    ApiKey,
}

/// <summary>An authenticated caller of the organisation API. <c>Role</c> is normalised to <c>org:admin</c> / <c>org:member</c>.</summary>
public sealed record OrgCaller(string OrgId, CallerType Type, string Id, string Role)
{
    public const string AdminRole = "org:admin";
    public const string MemberRole = "org:member";

    public bool IsAdmin => Role == AdminRole;

    /// <summary>What writes are stamped with: the user id or the API key id.</summary>
    public string Stamp => Id;
}

/// <summary>Everything a handler may need about the request it is serving. Built by the pipeline, never by handlers.</summary>
public sealed class RequestContext
{
    internal RequestContext(string requestId, RouteDefinition route, HttpRequest request, IReadOnlyDictionary<string, string> routeValues,
        ReadOnlyMemory<byte> rawBody, string clientIp, IServiceProvider services)
    {
        RequestId = requestId;
        Route = route;
        Request = request;
        RouteValues = routeValues;
        RawBody = rawBody;
        ClientIp = clientIp;
        Services = services;
    }

    public string RequestId { get; }

    public RouteDefinition Route { get; }

    public HttpRequest Request { get; }

    public IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>The body bytes exactly as received (webhook verification signs these).</summary>
    public ReadOnlyMemory<byte> RawBody { get; }

    public string ClientIp { get; }

    public IServiceProvider Services { get; }

    /// <summary>The parsed, validated request record, when the route declares one.</summary>
    public object? Body { get; internal set; }

    /// <summary>The organisation caller on org routes; null elsewhere.</summary>
    public OrgCaller? Caller { get; internal set; }

    /// <summary>
    /// On public routes, the organisation of the session the handler opened (set by the handler once it has read the
    /// session), so the CORS grant on the response does not read the session again.
    /// </summary>
    public string? PublicOrgId { get; internal set; }

    public OrgCaller Org => Caller ?? throw new InvalidOperationException($"Route {Route.Name} is not an org route.");

    public T BodyAs<T>() where T : class =>
        Body as T ?? throw new InvalidOperationException($"Route {Route.Name} has no {typeof(T).Name} body.");

    public string Value(string name) => RouteValues[name];

    public string? Query(string name) => Request.Query.TryGetValue(name, out var value) ? value.ToString() : null;
}
