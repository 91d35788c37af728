using System.Text.Json;
using Comx.Core.Http;
using Comx.Tests.Chat;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Identity;

/// <summary>
/// The two-org sweep: org A owns one of everything; every org route that names a resource is called with org B's admin
/// session on org A's ids and must answer 404 (never 403, never 200), and org B's lists never show org A's resources.
/// A new org route with a path parameter fails this test until it is added here.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private ChatTestOrg _a = null!;
    private TestOrg _b = null!;
    private Dictionary<string, string> _ids = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _a = await ChatTestOrg.CreateAsync(_app);
        _b = await TestOrg.CreateAsync(_app);
        var admin = _a.Org;

        var visitor = await _a.StartAsync(_app);
        await visitor.AskAsync("What do pupils wear?");
        var threads = await Send(admin.AsAdmin(HttpMethod.Get, "/api/org/v1/inbox/threads"), 200);
        var source = await Send(admin.AsAdmin(HttpMethod.Post, "/api/org/v1/sources",
            TestApp.Json(new { type = "text", title = "Secret handbook", content = "# Fees\nFees are private to org A." })), 201);
        var proposal = await Send(admin.AsAdmin(HttpMethod.Post, "/api/org/v1/actions/proposals",
            TestApp.Json(new { action_type = "crm.update", target_url = "https://crm.example/hook", payload = new { id = 1 }, summary = "Update the CRM" })), 201);
        var guide = await Send(admin.AsAdmin(HttpMethod.Post, "/api/org/v1/thinkguide/sessions",
            TestApp.Json(new { learner_id = "learner_a", question = "How do I work out the area of a triangle?" })), 201);
        var hook = await Send(admin.AsAdmin(HttpMethod.Post, "/api/org/v1/webhooks",
            TestApp.Json(new { url = "https://hooks.example/comx", events = new[] { "enquiry.created" } })), 201);
        var template = await Send(admin.AsAdmin(HttpMethod.Post, "/api/org/v1/templates", TestApp.Json(new { name = "Welcome", body = "Hello {{name}}" })), 201);
        var enquiryRequest = TestApp.Request(HttpMethod.Post, "/api/public/v1/enquiries", TestApp.Json(new
        {
            widget_key = _a.WidgetKey, name = "Sam", email = "sam@example.org", message = "Private to org A", consent = true,
        }), TestSettings.NewIp());
        enquiryRequest.Headers.Add("Origin", ChatTestOrg.Origin);
        var enquiry = await Send(enquiryRequest, 201);
        var erasure = await Send(admin.AsAdmin(HttpMethod.Delete, "/api/org/v1/learners/learner_gone"), 202);

        _ids = new Dictionary<string, string>
        {
            ["threadId"] = threads.GetProperty("data")[0].GetProperty("thread_id").GetString()!,
            ["keyId"] = admin.ApiKeyId,
            ["sourceId"] = source.GetProperty("source_id").GetString()!,
            ["jobId"] = source.GetProperty("job_id").GetString()!,
            ["proposalId"] = proposal.GetProperty("proposal_id").GetString()!,
            ["sessionId"] = guide.GetProperty("session_id").GetString()!,
            ["hookId"] = hook.GetProperty("hook_id").GetString()!,
            ["deliveryId"] = "dlv_of_org_a",
            ["templateId"] = template.GetProperty("template_id").GetString()!,
            ["enquiryId"] = enquiry.GetProperty("enquiry_id").GetString()!,
            ["erasureId"] = erasure.GetProperty("erasure_id").GetString()!,
        };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Bodies for routes that need one to reach the handler (validation runs first).</summary>
    private static readonly Dictionary<string, object> Bodies = new()
    {
        ["ReplyToThread"] = new { text = "Hello from org B" },
        ["AnswerThinkGuideStep"] = new { response = "I would multiply the base by the height" },
        ["AssignThread"] = new { user_id = (string?)null },
        ["UpdateTemplate"] = new { name = "Taken over", body = "Hello from org B" },
        ["RenderTemplate"] = new { variables = new Dictionary<string, string> { ["name"] = "B" } },
        ["UpdateSource"] = new { title = "Taken over" },
    };

    /// <summary>Learner ids are names an organisation chooses, not resources: org B's learner_a is org B's own, so these are not swept.</summary>
    private static readonly HashSet<string> NotResources = ["GetLearnerAccessibility", "PutLearnerAccessibility", "ExportLearner", "EraseLearner"];

    [Fact]
    public async Task EveryOrgRouteOnAnotherOrgsIds_Returns404()
    {
        var routes = _app.Services.GetRequiredService<RouteTable>().Routes
            .Where(r => r.Auth.IsOrg() && r.Path.Contains('{', StringComparison.Ordinal) && !NotResources.Contains(r.Name))
            .ToList();
        Assert.True(routes.Count >= 16, $"Only {routes.Count} routes found.");
        var failures = new List<string>();
        foreach (var route in routes)
        {
            var path = "/api/" + route.Path;
            foreach (var (name, id) in _ids)
            {
                path = path.Replace("{" + name + "}", id, StringComparison.Ordinal);
            }

            Assert.False(path.Contains('{', StringComparison.Ordinal), $"No org A resource for a parameter of {route.Name} ({route.Path}): add one to this test.");
            var content = route.RequestType is null ? null : TestApp.Json(Bodies.TryGetValue(route.Name, out var body) ? body
                : throw new Xunit.Sdk.XunitException($"No request body for {route.Name}: add one to this test."));
            var response = await _app.Client.SendAsync(_b.AsAdmin(new HttpMethod(route.Method), path, content));
            var text = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode != 404 || !text.Contains("COMX_NOT_FOUND", StringComparison.Ordinal))
            {
                failures.Add($"{route.Method} {path} ({route.Name}) answered {(int)response.StatusCode}: {text}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [InlineData("/api/org/v1/handoffs", "{\"thread_id\":\"{threadId}\",\"reason\":\"take over\"}")]
    [InlineData("/api/org/v1/ingest-jobs", "{\"source_id\":\"{sourceId}\"}")]
    public async Task BodyNamingAnotherOrgsResource_Returns404(string path, string template)
    {
        var json = _ids.Aggregate(template, (s, id) => s.Replace("{" + id.Key + "}", id.Value, StringComparison.Ordinal));
        var response = await _app.Client.SendAsync(_b.AsAdmin(HttpMethod.Post, path, TestApp.RawJson(json)));
        await response.ErrorAsync(404, "COMX_NOT_FOUND");
    }

    [Theory]
    [InlineData("/api/org/v1/inbox/threads")]
    [InlineData("/api/org/v1/sources")]
    [InlineData("/api/org/v1/enquiries")]
    [InlineData("/api/org/v1/templates")]
    [InlineData("/api/org/v1/webhooks")]
    [InlineData("/api/org/v1/api-keys")]
    public async Task AnotherOrgsLists_NeverShowThisOrgsResources(string path)
    {
        var list = await Send(_b.AsAdmin(HttpMethod.Get, path), 200);
        var text = list.ToString();
        foreach (var id in _ids.Values)
        {
            Assert.DoesNotContain(id, text, StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> Send(HttpRequestMessage request, int status) => await (await _app.Client.SendAsync(request)).JsonAsync(status);
}
