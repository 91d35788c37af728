using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using Comx.Core.Http;

namespace Comx.Core.Operations;

/// <summary>
/// The OpenAPI 3.1 document, generated once from the route table and the request/response records (their JSON
/// Schema comes from System.Text.Json's exporter with the same options the wire uses), so it cannot drift from the code.
/// </summary>
public sealed class OpenApiDocument
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly Lazy<byte[]> _json;

    public OpenApiDocument(RouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _json = new Lazy<byte[]>(() => JsonSerializer.SerializeToUtf8Bytes(Build(routes.Routes), Indented));
    }

    public byte[] Json => _json.Value;

    private static JsonObject Build(IReadOnlyList<RouteDefinition> routes)
    {
        var schemas = new JsonObject { ["Error"] = Schema(typeof(ErrorEnvelope)) };
        var paths = new JsonObject();
        foreach (var route in routes.OrderBy(r => r.Path, StringComparer.Ordinal))
        {
            var path = "/" + Routes.Prefix + "/" + route.Path;
            if (paths[path] is not JsonObject item)
            {
                item = [];
                paths[path] = item;
            }

            item[route.Method.ToLowerInvariant()] = Operation(route, schemas);
        }

        var webhooks = EventWebhooks(schemas);

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "comxbot API",
                ["version"] = "1.0.0",
                ["description"] = Description,
            },
            ["paths"] = paths,
            ["webhooks"] = webhooks,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["orgBearer"] = new JsonObject
                    {
                        ["type"] = "http",
                        ["scheme"] = "bearer",
                        ["description"] = "A Clerk session JWT (RS256) with an active organisation, or an Org API key (comx_sk_…).",
                    },
                    ["svixSignature"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "svix-signature", ["description"] = "Svix signature of the raw body (with svix-id and svix-timestamp)." },
                    ["stripeSignature"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "Stripe-Signature", ["description"] = "Stripe signature of the raw body." },
                },
            },
        };
    }

    private static JsonObject Operation(RouteDefinition route, JsonObject schemas)
    {
        var operation = new JsonObject
        {
            ["operationId"] = route.Name,
            ["summary"] = route.Summary,
            ["tags"] = new JsonArray(Tag(route.Path)),
        };
        var security = route.Auth switch
        {
            RouteAuth.Org or RouteAuth.OrgAdmin or RouteAuth.OrgAdminSession => "orgBearer",
            RouteAuth.ClerkWebhook => "svixSignature",
            RouteAuth.StripeWebhook => "stripeSignature",
            _ => null,
        };
        operation["security"] = security is null ? new JsonArray() : new JsonArray(new JsonObject { [security] = new JsonArray() });
        if (route.Auth is RouteAuth.OrgAdmin or RouteAuth.OrgAdminSession)
        {
            operation["description"] = route.Auth == RouteAuth.OrgAdminSession
                ? "Requires role org:admin with a Clerk session (API keys are refused)."
                : "Requires role org:admin.";
        }

        var parameters = new JsonArray();
        foreach (var (name, pattern) in route.ParsedTemplate.Parameters)
        {
            var schema = new JsonObject { ["type"] = "string" };
            if (pattern is not null)
            {
                schema["pattern"] = pattern;
            }

            parameters.Add(new JsonObject { ["name"] = name, ["in"] = "path", ["required"] = true, ["schema"] = schema });
        }

        if (route.Paged)
        {
            parameters.Add(new JsonObject { ["name"] = "limit", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 100, ["default"] = 20 } });
            parameters.Add(new JsonObject { ["name"] = "cursor", ["in"] = "query", ["description"] = "next_cursor of the previous page.", ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        foreach (var name in route.QueryParameters)
        {
            parameters.Add(new JsonObject { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        if (route.Idempotent)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = RequestPipeline.IdempotencyKeyHeader,
                ["in"] = "header",
                ["description"] = "Replays the stored response for 24 h when the same key and body are sent again; 409 for a different body or while the first is in flight.",
                ["schema"] = new JsonObject { ["type"] = "string", ["maxLength"] = RequestPipeline.MaxIdempotencyKeyLength },
            });
        }

        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        if (route.RequestType is { } requestType)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Reference(requestType, schemas) } },
            };
        }

        var success = new JsonObject { ["description"] = "Success" };
        if (route.ResponseType is { } responseType)
        {
            success["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Reference(responseType, schemas) } };
        }

        operation["responses"] = new JsonObject
        {
            [route.SuccessStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)] = success,
            ["default"] = new JsonObject
            {
                ["description"] = "Error envelope; see the code table in the description.",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Error" } } },
            },
        };
        return operation;
    }

    /// <summary>
    /// One entry per event type (OpenAPI 3.1 <c>webhooks</c>): the signed POST a subscription receives, whose <c>data</c>
    /// is the event's payload schema in the components (<c>GET /org/v1/webhooks/samples</c> names the same schemas).
    /// </summary>
    private static JsonObject EventWebhooks(JsonObject schemas)
    {
        var webhooks = new JsonObject();
        foreach (var definition in Events.EventCatalog.All)
        {
            schemas[definition.SchemaName] = Schema(definition.DataType);
            var envelope = new JsonObject
            {
                ["type"] = "object",
                ["required"] = new JsonArray("id", "type", "created_at", "org_id", "data"),
                ["properties"] = new JsonObject
                {
                    ["id"] = new JsonObject { ["type"] = "string" },
                    ["type"] = new JsonObject { ["const"] = definition.Type },
                    ["created_at"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                    ["org_id"] = new JsonObject { ["type"] = "string" },
                    ["data"] = new JsonObject { ["$ref"] = definition.SchemaRef },
                },
            };
            webhooks[definition.Type] = new JsonObject
            {
                ["post"] = new JsonObject
                {
                    ["operationId"] = "Event_" + definition.Type.Replace('.', '_'),
                    ["summary"] = $"The {definition.Type} event, signed with the subscription's secret (X-Comx-Signature: hex HMAC-SHA256 of the raw body).",
                    ["requestBody"] = new JsonObject
                    {
                        ["required"] = true,
                        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = envelope } },
                    },
                    ["responses"] = new JsonObject { ["2XX"] = new JsonObject { ["description"] = "Received; any other answer is retried." } },
                },
            };
        }

        return webhooks;
    }

    private static string Tag(string template)
    {
        var segments = template.Split('/');
        return segments.Length >= 3 ? segments[0] + " " + segments[2] : segments[0];
    }

    private static JsonObject Reference(Type type, JsonObject schemas)
    {
        var name = SchemaName(type);
        if (!schemas.ContainsKey(name))
        {
            schemas[name] = Schema(type);
        }

        return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
    }

    private static string SchemaName(Type type) =>
        type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "Of" + string.Concat(type.GetGenericArguments().Select(SchemaName))
            : type.Name;

    private static JsonNode Schema(Type type) =>
        ComxJson.Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });

    private const string Description = """
        The comxbot backend API. JSON in snake_case both ways; timestamps are ISO-8601 UTC; ids are prefixed random strings.

        Errors always use one envelope: {"error":{"code","message","request_id","retryable","details"}}. Codes:
        COMX_VALIDATION_ERROR 400 (details.field names the field), COMX_UNAUTHENTICATED 401, COMX_FORBIDDEN 403
        (details.reason: plan_limit, trial_expired, subscription_inactive; details.limit for limits), COMX_POLICY_BLOCK 403,
        COMX_NOT_FOUND 404 (also for another organisation's resources), COMX_METHOD_NOT_ALLOWED 405 (with Allow),
        COMX_IDEMPOTENCY_CONFLICT 409, COMX_PAYLOAD_TOO_LARGE 413 (bodies over 1 MB), COMX_RATE_LIMITED 429 (with
        Retry-After), COMX_INTERNAL_ERROR 500, COMX_PROVIDER_UNAVAILABLE 503 (retryable: storage or a provider is
        unreachable). The server's own refusals use the envelope too: COMX_REQUEST_TIMEOUT 408 (a body that arrives too
        slowly), COMX_URI_TOO_LONG 414, COMX_HEADERS_TOO_LARGE 431. JSON responses carry X-Content-Type-Options: nosniff.

        Rate limits: public chat routes 20/min per IP, enquiries 5/min per IP, the organisation API 60/min per API key or
        user. Limited responses carry X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (Unix seconds when
        the window ends). Every mutating route accepts Idempotency-Key (kept 24 h, scoped per organisation, or per IP and
        widget key on public routes); a replay carries Idempotent-Replayed: true. Lists are {"data":[...],"next_cursor"}.
        """;
}
