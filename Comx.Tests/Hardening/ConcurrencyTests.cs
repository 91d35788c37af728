using System.Net;
using System.Text.Json;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Tests.Chat;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Hardening;

/// <summary>
/// Every limit under 100 parallel requests through the real pipeline and Azurite: plan limits, the per-minute rate limits,
/// the auth-failure throttle, idempotency and inbound de-duplication each hold exactly. Each test prints its overshoot.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Parallel = 100;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task SourcesOnATrialOrg_100Parallel_StoreExactlyTheLimit()
    {
        var org = await TestOrg.CreateAsync(_app);
        var callers = await CallersAsync(org, 3);
        var statuses = await BurstAsync(i => callers[i % callers.Count](HttpMethod.Post, "/api/org/v1/sources",
            TestApp.Json(new { type = "text", title = $"Source {i}", content = $"Fact number {i}." })));

        var stored = await CountAsync(org, "/api/org/v1/sources");
        Report("sources (trial limit 10)", statuses, stored, 10);
        Assert.Equal(10, stored);
        Assert.Equal(10, statuses.Count(s => s == 201));
        Assert.Equal(Parallel - 10, statuses.Count(s => s == 403));
    }

    [Fact]
    public async Task WebhookSubscriptions_100Parallel_StoreExactlyTheLimit()
    {
        var org = await TestOrg.CreateAsync(_app);
        var callers = await CallersAsync(org, 2);
        var statuses = await BurstAsync(i => callers[i % callers.Count](HttpMethod.Post, "/api/org/v1/webhooks",
            TestApp.Json(new { url = $"https://hooks.example.org/{i}", events = new[] { "enquiry.created" } })));

        var stored = await CountAsync(org, "/api/org/v1/webhooks");
        Report("webhook subscriptions (limit 20)", statuses, stored, 20);
        Assert.Equal(20, stored);
        Assert.Equal(20, statuses.Count(s => s == 201));

        // A delete gives its slot back, exactly one.
        var fresh = await CallersAsync(org, 4);
        var hookId = (await (await _app.Client.SendAsync(fresh[2](HttpMethod.Get, "/api/org/v1/webhooks", null))).JsonAsync(200)).GetProperty("data")[0].GetProperty("hook_id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await _app.Client.SendAsync(fresh[2](HttpMethod.Delete, $"/api/org/v1/webhooks/{hookId}", null))).StatusCode);
        var refill = await BurstAsync(i => fresh[3](HttpMethod.Post, "/api/org/v1/webhooks",
            TestApp.Json(new { url = $"https://hooks.example.org/again/{i}", events = new[] { "enquiry.created" } })), count: 20);
        Assert.Equal(1, refill.Count(s => s == 201));
        Assert.Equal(20, await CountAsync(org, "/api/org/v1/webhooks"));
    }

    [Fact]
    public async Task BadCredentialsFromOneIp_100Parallel_OnlyTheThrottleLimitAreChecked()
    {
        await TestSettings.FreshRateWindowAsync();
        var ip = TestSettings.NewIp();
        var statuses = await BurstAsync(i =>
        {
            var request = TestApp.Request(HttpMethod.Get, "/api/org/v1/me", ip: ip);
            request.Bearer("comx_sk_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"));
            return request;
        });

        var limit = RateLimitPolicy.AuthFailures.Limit;
        output.WriteLine($"auth-failure throttle: {statuses.Count(s => s == 401)} x 401, {statuses.Count(s => s == 429)} x 429; overshoot {Math.Max(0, statuses.Count(s => s == 401) - limit)}");
        Assert.Equal(limit, statuses.Count(s => s == 401));
        Assert.Equal(Parallel - limit, statuses.Count(s => s == 429));
    }

    [Fact]
    public async Task PublicEnquiriesFromOneIp_100Parallel_AdmitExactlyTheRateLimit()
    {
        var chat = await ChatTestOrg.CreateAsync(_app);
        await TestSettings.FreshRateWindowAsync();
        var ip = TestSettings.NewIp();
        var statuses = await BurstAsync(i => TestApp.Request(HttpMethod.Post, "/api/public/v1/enquiries",
            TestApp.Json(new { widget_key = chat.WidgetKey, name = "Pat", email = $"pat{i}@example.org", message = "Please call me.", consent = true }), ip));

        var admitted = statuses.Count(s => s != 429);
        output.WriteLine($"public enquiries (5/min/IP): {admitted} admitted, {statuses.Count(s => s == 429)} x 429; overshoot {Math.Max(0, admitted - 5)}");
        Assert.Equal(RateLimitPolicy.PublicEnquiry.Limit, admitted);
    }

    [Fact]
    public async Task OrgApiKey_100Parallel_AdmitsExactlyTheRateLimit()
    {
        var org = await TestOrg.CreateAsync(_app);
        await TestSettings.FreshRateWindowAsync();
        var statuses = await BurstAsync(_ => org.AsKey(HttpMethod.Get, "/api/org/v1/me"));
        var admitted = statuses.Count(s => s == 200);
        output.WriteLine($"org API (60/min/key): {admitted} admitted, {statuses.Count(s => s == 429)} x 429; overshoot {Math.Max(0, admitted - 60)}");
        Assert.Equal(RateLimitPolicy.OrgApi.Limit, admitted);
        Assert.Equal(Parallel - admitted, statuses.Count(s => s == 429));
    }

    [Fact]
    public async Task OneIdempotencyKey_100Parallel_HasOneEffect()
    {
        var org = await TestOrg.CreateAsync(_app);
        var callers = await CallersAsync(org, 2);
        var key = "idem-" + Guid.NewGuid().ToString("N");
        var responses = new List<(int Status, string? SourceId)>();
        var statuses = await BurstAsync(i =>
        {
            var request = callers[i % callers.Count](HttpMethod.Post, "/api/org/v1/sources", TestApp.Json(new { type = "text", title = "Once", content = "Exactly once." }));
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }, onResponse: async response =>
        {
            var text = await response.Content.ReadAsStringAsync();
            var id = response.StatusCode == HttpStatusCode.Created ? JsonDocument.Parse(text).RootElement.GetProperty("source_id").GetString() : null;
            lock (responses)
            {
                responses.Add(((int)response.StatusCode, id));
            }
        });

        var stored = await CountAsync(org, "/api/org/v1/sources");
        output.WriteLine($"idempotency: {statuses.Count(s => s == 201)} x 201 (one new, the rest replays), {statuses.Count(s => s == 409)} x 409 in flight; {stored} stored; overshoot {stored - 1}");
        Assert.Equal(1, stored);
        Assert.Single(responses.Where(r => r.SourceId is not null).Select(r => r.SourceId).Distinct());
        Assert.All(statuses, s => Assert.True(s is 201 or 409, $"status {s}"));
    }

    [Fact]
    public async Task OneSvixMessage_100ParallelCopies_AppliedOnce()
    {
        var orgId = "org_c" + Guid.NewGuid().ToString("N")[..12];
        var body = $$$"""{"type":"organization.created","timestamp":1735689600000,"data":{"id":"{{{orgId}}}","name":"Concurrent","slug":"concurrent"}}""";
        var svixId = "msg_" + Guid.NewGuid().ToString("N");
        var receipts = await ReceiptsAsync(() => WebhookSigning.Clerk(body, svixId));
        Assert.NotNull(await _app.Services.GetRequiredService<OrgDirectory>().GetOrgAsync(orgId));
        AssertAppliedOnce("clerk (svix-id)", receipts);
    }

    [Fact]
    public async Task OneStripeEvent_100ParallelCopies_AppliedOnce()
    {
        var eventId = "evt_c" + Guid.NewGuid().ToString("N");
        var body = "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"type\":\"invoice.payment_failed\",\"created\":1735689600,\"data\":{\"object\":{\"id\":\"in_c\",\"customer\":\"cus_" + eventId[5..17] + "\",\"status\":\"open\"}}}";
        var receipts = await ReceiptsAsync(() => WebhookSigning.Stripe(body));
        AssertAppliedOnce("stripe (event id)", receipts);
    }

    private void AssertAppliedOnce(string what, IReadOnlyList<(int Status, bool? Duplicate)> receipts)
    {
        var applied = receipts.Count(r => r is { Status: 200, Duplicate: false });
        output.WriteLine($"inbound de-dup, {what}: {applied} applied, {receipts.Count(r => r.Duplicate == true)} duplicate, {receipts.Count(r => r.Status == 409)} x 409 in flight; overshoot {applied - 1}");
        Assert.Equal(1, applied);
        Assert.All(receipts, r => Assert.True(r.Status is 200 or 409, $"status {r.Status}"));
    }

    private async Task<IReadOnlyList<(int Status, bool? Duplicate)>> ReceiptsAsync(Func<HttpRequestMessage> request)
    {
        var receipts = new List<(int, bool?)>();
        await BurstAsync(_ => request(), onResponse: async response =>
        {
            var text = await response.Content.ReadAsStringAsync();
            bool? duplicate = response.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(text).RootElement.GetProperty("duplicate").GetBoolean() : null;
            lock (receipts)
            {
                receipts.Add(((int)response.StatusCode, duplicate));
            }
        });
        return receipts;
    }

    /// <summary>Sends all requests at once (released together) and returns their statuses.</summary>
    private async Task<IReadOnlyList<int>> BurstAsync(Func<int, HttpRequestMessage> request, int count = Parallel, Func<HttpResponseMessage, Task>? onResponse = null)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            var message = request(i);
            await start.Task;
            using var response = await _app.Client.SendAsync(message);
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            if (onResponse is not null)
            {
                await onResponse(response);
            }

            return (int)response.StatusCode;
        }).ToList();
        start.SetResult();
        return await Task.WhenAll(tasks);
    }

    /// <summary>Several admin callers of one organisation (admin session and API keys), so the per-caller rate limit does not cap the burst.</summary>
    private async Task<IReadOnlyList<Func<HttpMethod, string, HttpContent?, HttpRequestMessage>>> CallersAsync(TestOrg org, int count)
    {
        var callers = new List<Func<HttpMethod, string, HttpContent?, HttpRequestMessage>> { org.AsAdmin, org.AsKey };
        var keys = _app.Services.GetRequiredService<ApiKeyStore>();
        while (callers.Count < count)
        {
            var key = await keys.CreateAsync(org.OrgId, "burst", org.AdminUserId);
            callers.Add((method, path, content) =>
            {
                var request = TestApp.Request(method, path, content, TestSettings.NewIp());
                request.Bearer(key.Secret);
                return request;
            });
        }

        return callers.Take(count).ToList();
    }

    /// <summary>Counts with a fresh API key, so the count is never rate limited by the burst before it.</summary>
    private async Task<int> CountAsync(TestOrg org, string path)
    {
        var key = await _app.Services.GetRequiredService<ApiKeyStore>().CreateAsync(org.OrgId, "count", org.AdminUserId);
        var request = TestApp.Request(HttpMethod.Get, path + "?limit=100", ip: TestSettings.NewIp());
        request.Bearer(key.Secret);
        var list = await (await _app.Client.SendAsync(request)).JsonAsync(200);
        return list.GetProperty("data").GetArrayLength();
    }

    private void Report(string what, IReadOnlyList<int> statuses, int stored, int limit) =>
        output.WriteLine($"{what}: {statuses.Count(s => s == 201)} x 201, {statuses.Count(s => s == 403)} x 403, {stored} stored; overshoot {Math.Max(0, stored - limit)}");
}
