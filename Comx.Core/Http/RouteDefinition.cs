namespace Comx.Core.Http;

/// <summary>Handles one matched, authenticated, rate-limited and validated request.</summary>
public delegate Task<ApiResult> EndpointHandler(RequestContext context, CancellationToken cancellationToken);

/// <summary>
/// One row of the route table: what the pipeline applies to a route, and the handler it then calls.
/// The OpenAPI document is generated from these rows.
/// </summary>
public sealed record RouteDefinition(string Name, string Method, string Template, RouteAuth Auth, EndpointHandler Handler)
{
    /// <summary>The typed request record the body is parsed into; null when the route takes no body.</summary>
    public Type? RequestType { get; init; }

    /// <summary>The success body's type, for the OpenAPI document.</summary>
    public Type? ResponseType { get; init; }

    public int SuccessStatus { get; init; } = 200;

    /// <summary>Null: the default for the auth kind (org routes 60/min per caller; public and webhook routes have none).</summary>
    public RateLimitPolicy? RateLimit { get; init; }

    public string Summary { get; init; } = "";

    /// <summary>True when the response is a JSON list with <c>limit</c> and <c>cursor</c> query parameters.</summary>
    public bool Paged { get; init; }

    /// <summary>Extra query parameters the route reads, for the OpenAPI document.</summary>
    public IReadOnlyList<string> QueryParameters { get; init; } = [];

    public RateLimitPolicy? EffectiveRateLimit => RateLimit ?? (Auth.IsOrg() ? RateLimitPolicy.OrgApi : null);

    /// <summary>Every mutating route honours <c>Idempotency-Key</c>; webhooks de-duplicate on their event ids instead.</summary>
    public bool Idempotent => Method is "POST" or "PUT" or "PATCH" or "DELETE" && !Auth.IsWebhook();

    /// <summary>
    /// <see cref="Template"/> without its constraints (<c>org/v1/actions/{proposalId}</c>): the path clients and the OpenAPI
    /// document write. <see cref="Template"/> is what the hosts route on (see <see cref="Routes"/>).
    /// </summary>
    public string Path => ParsedTemplate.Path;

    internal RouteTemplate ParsedTemplate { get; } = RouteTemplate.Parse(Template);
}
