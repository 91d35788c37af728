using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Hardening;

/// <summary>
/// Hostile input for every operation of the served OpenAPI document (/api/openapi.json through TestHost): wrong types,
/// nulls inside objects and arrays, huge and deeply nested values, invalid UTF-8, wrong content types, odd path segments
/// and forged cursors, plus correctly signed inbound webhooks with fields of the wrong type. Every answer must be below
/// 500 and every refusal the envelope; mutating requests must be refused, and the organisation's state (every list it
/// can read) must be the same afterwards. Generation is seeded, so each run sends the same requests.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Seed = 1414;
    private const int Callers = 16;
    private static readonly string[] OddSegments =
        ["x%2Fy", "..%2F..%2Fetc", "%E2%80%AE", new string('a', 300), "ses_00000000000000000000000000", "%27%20or%20%271%27%3D%271", "%F0%9F%9A%80", "-"];

    private static readonly string[] ForgedQueries =
        ["limit=0", "limit=1000", "limit=abc", "limit=-1", "cursor=garbage", "cursor=eyJwayI6Im9yZ19vdGhlciIsInJrIjoiJyJ9", "cursor=%00",
         "after=msg_forged", "status=bogus", "since=yesterday", "widget_key=%27"];

    private TestApp _app = null!;
    private TestOrg _org = null!;
    private readonly List<string> _tokens = [];
    private int _next;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _org = await TestOrg.CreateAsync(_app);
        var directory = _app.Services.GetRequiredService<OrgDirectory>();
        for (var i = 0; i < Callers; i++)
        {
            var userId = $"user_h{i}{_org.OrgId[4..]}";
            await directory.UpsertUserAsync(userId, $"h{i}@example.org", "Hostile Admin", 1);
            await directory.UpsertMembershipAsync(_org.OrgId, userId, $"orgmem_h{i}{_org.OrgId[4..]}", OrgCaller.AdminRole, 1);
            _tokens.Add(TestClerk.SessionToken(userId, _org.OrgId, "org:admin", lifetime: TimeSpan.FromHours(1)));
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task EveryOperation_HostileRequests_Get4xxEnvelopeAndChangeNothing()
    {
        using var document = JsonDocument.Parse(await _app.Client.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative)));
        var root = document.RootElement;
        // Lists that change between two reads with nothing in between (generated samples) cannot show a change.
        var before = await SnapshotAsync(root);
        foreach (var moving in (await SnapshotAsync(root)).Where(again => before[again.Key] != again.Value).Select(again => again.Key).ToList())
        {
            before.Remove(moving);
        }

        var random = new Random(Seed);
        var (sent, serverErrors, accepted, notEnvelope) = (0, new List<string>(), new List<string>(), new List<string>());
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                foreach (var (target, content) in Generate(root, path.Name, method, operation.Value, random))
                {
                    using var request = Build(method, target, content, path.Name);
                    using var response = await _app.Client.SendAsync(request);
                    sent++;
                    var status = (int)response.StatusCode;
                    var label = $"{method} {target[..Math.Min(120, target.Length)]} [{Describe(content)}] → {status}";
                    if (status >= 500)
                    {
                        serverErrors.Add(label + ": " + await response.Content.ReadAsStringAsync());
                    }
                    else if (status < 400 && method != HttpMethod.Get && !AnyTargetIsValid(method, path.Name))
                    {
                        accepted.Add(label);
                    }
                    else if (status >= 400 && !await IsEnvelopeAsync(response))
                    {
                        notEnvelope.Add(label);
                    }
                }
            }
        }

        var after = await SnapshotAsync(root);
        var changed = before.Where(b => after[b.Key] != b.Value).Select(b => b.Key).ToList();
        output.WriteLine($"hostile input: {sent} requests over {root.GetProperty("paths").EnumerateObject().Sum(p => p.Value.EnumerateObject().Count())} operations; " +
            $"{serverErrors.Count} x 5xx, {accepted.Count} mutating requests accepted, {notEnvelope.Count} refusals without the envelope, {changed.Count} lists changed");
        foreach (var line in serverErrors.Concat(accepted).Concat(notEnvelope).Concat(changed).Take(40))
        {
            output.WriteLine(line);
        }

        Assert.Empty(serverErrors);
        Assert.Empty(accepted);
        Assert.Empty(notEnvelope);
        Assert.Empty(changed);
    }

    [Fact]
    public async Task SignedWebhooks_WithFieldsOfWrongTypes_AreNever5xx()
    {
        var random = new Random(Seed);
        var clerk = JsonNode.Parse("""{"type":"organization.updated","object":"event","timestamp":1735689600000,"data":{"id":"org_hostile1","object":"organization","name":"Acme","slug":"acme","created_at":1,"updated_at":2}}""")!;
        var member = JsonNode.Parse("""{"type":"organizationMembership.created","timestamp":1735689600000,"data":{"id":"orgmem_h1","role":"org:admin","organization":{"id":"org_hostile1"},"public_user_data":{"user_id":"user_h1"}}}""")!;
        var user = JsonNode.Parse("""{"type":"user.updated","timestamp":1735689600000,"data":{"id":"user_h1","first_name":"A","last_name":"B","primary_email_address_id":"idn_1","email_addresses":[{"id":"idn_1","email_address":"a@example.org"}]}}""")!;
        var stripe = JsonNode.Parse("""{"id":"evt_h","object":"event","type":"customer.subscription.updated","created":1735689600,"data":{"object":{"id":"sub_h","customer":"cus_h","status":"active","metadata":{"org_id":"org_hostile1"},"items":{"data":[{"price":{"id":"price_pro"}}]}}}}""")!;
        var checkout = JsonNode.Parse("""{"id":"evt_h","object":"event","type":"checkout.session.completed","created":1735689600,"data":{"object":{"id":"cs_h","client_reference_id":"org_hostile1","customer":"cus_h","subscription":"sub_h"}}}""")!;
        var (sent, serverErrors) = (0, new List<string>());
        foreach (var (source, template) in new[] { ("clerk", clerk), ("clerk", member), ("clerk", user), ("stripe", stripe), ("stripe", checkout) })
        {
            foreach (var mutated in Mutations(template, random))
            {
                if (source == "stripe" && mutated is JsonObject o && o["id"] is JsonValue)
                {
                    o["id"] = "evt_h" + random.Next();
                }

                var body = mutated?.ToJsonString() ?? "null";
                using var request = source == "clerk" ? WebhookSigning.Clerk(body) : WebhookSigning.Stripe(body);
                using var response = await _app.Client.SendAsync(request);
                sent++;
                if ((int)response.StatusCode >= 500)
                {
                    serverErrors.Add($"{source} {body[..Math.Min(200, body.Length)]} → {(int)response.StatusCode}");
                }
            }
        }

        output.WriteLine($"signed hostile webhooks: {sent} requests, {serverErrors.Count} x 5xx");
        Assert.Empty(serverErrors);
    }

    /// <summary>Every JSON value of the template replaced in turn by a value of another type, null, a huge string and a deep nest.</summary>
    private static IEnumerable<JsonNode?> Mutations(JsonNode template, Random random)
    {
        var paths = new List<string>();
        Collect(template, "", paths);
        foreach (var path in paths)
        {
            foreach (JsonNode? replacement in new JsonNode?[] { null, JsonValue.Create(12345), JsonValue.Create("text"), new JsonArray(JsonValue.Create("x"), null),
                new JsonObject { ["k"] = null }, JsonValue.Create(true), JsonValue.Create(new string('x', 40_000 + random.Next(1000))), Nest(300) })
            {
                var copy = template.DeepClone();
                Replace(copy, path, replacement);
                yield return copy;
            }
        }
    }

    private static void Collect(JsonNode? node, string path, List<string> paths)
    {
        if (node is JsonObject obj)
        {
            foreach (var (name, child) in obj)
            {
                paths.Add(path + "/" + name);
                Collect(child, path + "/" + name, paths);
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                paths.Add(path + "/" + i);
                Collect(array[i], path + "/" + i, paths);
            }
        }
    }

    private static void Replace(JsonNode root, string path, JsonNode? value)
    {
        var parts = path.Trim('/').Split('/');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : parent[part]!;
        }

        if (parent is JsonArray array)
        {
            array[int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture)] = value?.DeepClone();
        }
        else
        {
            parent[parts[^1]] = value?.DeepClone();
        }
    }

    private static JsonNode Nest(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    /// <summary>The hostile requests for one operation: odd path values, forged queries, and for a body every kind of bad body.</summary>
    private static IEnumerable<(string Target, HttpContent? Content)> Generate(JsonElement root, string template, HttpMethod method, JsonElement operation, Random random)
    {
        var hasPathValues = template.Contains('{', StringComparison.Ordinal);
        string Fill(string value) => System.Text.RegularExpressions.Regex.Replace(template, "\\{[^}]+\\}", value);
        var plain = Fill("zz_" + random.Next(1_000_000));
        if (hasPathValues)
        {
            foreach (var segment in OddSegments)
            {
                yield return (Fill(segment), method == HttpMethod.Get ? null : Body("""{"unexpected":true}"""));
            }
        }

        if (method == HttpMethod.Get)
        {
            foreach (var query in ForgedQueries)
            {
                yield return (plain + "?" + query, null);
            }

            yield break;
        }

        if (!operation.TryGetProperty("requestBody", out var requestBody))
        {
            yield return (plain, Body("""{"unexpected":true}"""));
            yield break;
        }

        var content = requestBody.GetProperty("content");
        if (!content.TryGetProperty("application/json", out var json))
        {
            // A multipart upload: JSON instead of a form, an empty form, a form without its file part, a broken boundary.
            yield return (plain, Body("""{"file":"not a file"}"""));
            yield return (plain, Multipart(""));
            yield return (plain, Multipart("--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nNo file\r\n--b--\r\n"));
            yield return (plain, Multipart("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\n\r\n%PDF-garbage"));
            yield break;
        }

        var schema = Resolve(root, json.GetProperty("schema"));
        var baseline = Baseline(root, schema);
        foreach (var variant in Variants(root, schema, baseline, random))
        {
            yield return (plain, Body(variant));
        }

        yield return (plain, new ByteArrayContent([.. "{\"x\":\""u8.ToArray(), 0xff, 0xfe, 0xc3, .. "\"}"u8.ToArray()]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        yield return (plain, new StringContent(baseline.ToJsonString(), Encoding.UTF8, "text/plain"));
        yield return (plain, new StringContent("a=1&b=2", Encoding.UTF8, "application/x-www-form-urlencoded"));
        foreach (var raw in new[] { "", "null", "[]", "123", "\"text\"", "{", "{\"a\":1,}", "{\"a\":1}{\"b\":2}" })
        {
            yield return (plain, Body(raw));
        }

        var deep = baseline.DeepClone().AsObject();
        deep["nested"] = Nest(5000 / 2);
        yield return (plain, Body(deep.ToJsonString(new JsonSerializerOptions { MaxDepth = 10_000 })));
    }

    private static IEnumerable<string> Variants(JsonElement root, JsonElement schema, JsonObject baseline, Random random)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties))
        {
            yield break;
        }

        foreach (var property in properties.EnumerateObject())
        {
            var propertySchema = Resolve(root, property.Value);
            var type = TypeOf(propertySchema);
            JsonNode? wrong = type switch
            {
                "string" => JsonValue.Create(12345),
                "integer" or "number" => JsonValue.Create("not a number"),
                "boolean" => JsonValue.Create("yes"),
                "array" => new JsonObject { ["a"] = 1 },
                _ => new JsonArray(JsonValue.Create(1)),
            };
            // Only values the schema refuses: null where null is allowed, or a number where numbers are, is a valid request.
            var hostile = new List<JsonNode?> { wrong, NullInside(type), JsonValue.Create(new string('x', 200_000 + random.Next(1000))) };
            if (!AllowsNull(propertySchema))
            {
                hostile.Add(null);
            }

            if (type is not ("integer" or "number"))
            {
                hostile.Add(JsonValue.Create(double.MaxValue));
            }

            foreach (var value in hostile)
            {
                var copy = baseline.DeepClone().AsObject();
                copy[property.Name] = value?.DeepClone();
                yield return copy.ToJsonString();
            }
        }

        var everyHuge = baseline.DeepClone().AsObject();
        var strings = properties.EnumerateObject().Where(p => TypeOf(Resolve(root, p.Value)) == "string").Take(8).ToList();
        foreach (var property in strings)
        {
            everyHuge[property.Name] = new string('y', 100_000);
        }

        // Without a string property this would be the baseline itself, which may be a valid request.
        if (strings.Count > 0)
        {
            yield return everyHuge.ToJsonString();
        }
    }

    private static bool AllowsNull(JsonElement schema) =>
        schema.ValueKind != JsonValueKind.Object
        || (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.GetString() == "null"));

    private static JsonNode? NullInside(string type) => type == "array" ? new JsonArray(null, null) : new JsonObject { ["k"] = null, ["n"] = new JsonArray([null]) };

    /// <summary>A body with every property present and plausibly typed (not necessarily valid), as the base for one bad field at a time.</summary>
    private static JsonObject Baseline(JsonElement root, JsonElement schema)
    {
        var body = new JsonObject();
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                var propertySchema = Resolve(root, property.Value);
                body[property.Name] = propertySchema.ValueKind == JsonValueKind.Object && propertySchema.TryGetProperty("enum", out var values) && values.GetArrayLength() > 0
                    ? JsonNode.Parse(values[0].GetRawText())
                    : TypeOf(propertySchema) switch
                    {
                        "string" => JsonValue.Create("x"),
                        "integer" or "number" => JsonValue.Create(1),
                        "boolean" => JsonValue.Create(true),
                        "array" => new JsonArray(),
                        _ => new JsonObject(),
                    };
            }
        }

        return body;
    }

    private static string TypeOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type))
        {
            return "object";
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).FirstOrDefault(t => t != "null") ?? "object"
            : type.GetString() ?? "object";
    }

    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            return root.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        return schema;
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>
    /// Erasing a learner takes any learner id the organisation names (ids are the organisation's own strings, not our
    /// resources), and erasing one with no data is a valid, empty erasure: a 202 there changes nothing that is held.
    /// </summary>
    private static bool AnyTargetIsValid(HttpMethod method, string template) =>
        method == HttpMethod.Delete && template.StartsWith("/api/org/v1/learners/", StringComparison.Ordinal);

    private static ByteArrayContent Multipart(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        return content;
    }

    private static string Describe(HttpContent? content) => content switch
    {
        null => "no body",
        ByteArrayContent bytes => $"{bytes.Headers.ContentType?.MediaType} {bytes.Headers.ContentLength} bytes",
        _ => "body",
    };

    private HttpRequestMessage Build(HttpMethod method, string target, HttpContent? content, string template)
    {
        var request = TestApp.Request(method, target, content, TestSettings.NewIp());
        if (template.StartsWith("/api/org/", StringComparison.Ordinal))
        {
            request.Bearer(_tokens[_next++ % _tokens.Count]);
        }

        request.Headers.Add("Origin", "https://hostile.example");
        return request;
    }

    private static async Task<bool> IsEnvelopeAsync(HttpResponseMessage response)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var error = document.RootElement.GetProperty("error");
            return error.GetProperty("code").GetString()!.StartsWith("COMX_", StringComparison.Ordinal)
                && error.GetProperty("request_id").GetString()!.StartsWith("req_", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Every list the organisation can read (GET routes without path values), as text.</summary>
    private async Task<Dictionary<string, string>> SnapshotAsync(JsonElement root)
    {
        var snapshot = new Dictionary<string, string>();
        foreach (var path in root.GetProperty("paths").EnumerateObject()
                     .Where(p => p.Name.StartsWith("/api/org/", StringComparison.Ordinal) && !p.Name.Contains('{', StringComparison.Ordinal) && p.Value.TryGetProperty("get", out _)))
        {
            var request = TestApp.Request(HttpMethod.Get, path.Name, ip: TestSettings.NewIp());
            request.Bearer(_org.AdminToken);
            using var response = await _app.Client.SendAsync(request);
            snapshot[path.Name] = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }

        return snapshot;
    }
}
