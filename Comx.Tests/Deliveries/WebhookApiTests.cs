using System.Text.Json;
using Comx.Core.Events;
using Comx.Tests.Infrastructure;

namespace Comx.Tests.Deliveries;

public sealed class WebhookApiTests : IAsyncLifetime
{
    private TestApp _app = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _app = await DeliveryHarness.StartAppAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CreatedSubscription_ShowsItsSecretOnlyOnCreation()
    {
        var org = await TestOrg.CreateAsync(_app);
        var created = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, "/api/org/v1/webhooks",
            TestApp.Json(new { url = "https://hooks.example.org/comx", events = new[] { EventTypes.EnquiryCreated, EventTypes.HandoffRequested } })), Token)).JsonAsync(201);
        var hookId = created.GetProperty("hook_id").GetString()!;
        Assert.StartsWith("whk_", hookId, StringComparison.Ordinal);
        Assert.StartsWith("whsec_", created.GetProperty("signing_secret").GetString(), StringComparison.Ordinal);
        Assert.Equal("active", created.GetProperty("status").GetString());

        var list = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/webhooks"), Token)).JsonAsync(200);
        var listed = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal(hookId, listed.GetProperty("hook_id").GetString());
        Assert.False(listed.TryGetProperty("signing_secret", out _));
        Assert.Equal([EventTypes.EnquiryCreated, EventTypes.HandoffRequested], listed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("whsec_", list.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.org/x", "url")]
    [InlineData("/relative", "url")]
    [InlineData("http://169.254.169.254/latest", "url")]
    [InlineData("https://user:pw@example.org/x", "url")]
    public async Task BadUrl_IsAFieldError(string url, string field)
    {
        var org = await TestOrg.CreateAsync(_app);
        var response = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, "/api/org/v1/webhooks", TestApp.Json(new { url, events = new[] { EventTypes.EnquiryCreated } })), Token);
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal(field, error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task UnknownOrMissingEvents_AreFieldErrors()
    {
        var org = await TestOrg.CreateAsync(_app);
        var unknown = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, "/api/org/v1/webhooks",
            TestApp.Json(new { url = "https://example.org/x", events = new[] { EventTypes.EnquiryCreated, "order.shipped" } })), Token);
        var error = await unknown.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("events[1]", error.GetProperty("details").GetProperty("field").GetString());

        var empty = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, "/api/org/v1/webhooks", TestApp.Json(new { url = "https://example.org/x", events = Array.Empty<string>() })), Token);
        Assert.Equal("events", (await empty.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task Member_CannotCreateOrDelete_ButCanList()
    {
        var org = await TestOrg.CreateAsync(_app);
        var create = await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, "/api/org/v1/webhooks",
            TestApp.Json(new { url = "https://example.org/x", events = new[] { EventTypes.EnquiryCreated } })), Token);
        await create.ErrorAsync(403, "COMX_FORBIDDEN");
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, org, new Uri("https://example.org/y"));
        var delete = await _app.Client.SendAsync(org.AsMember(HttpMethod.Delete, $"/api/org/v1/webhooks/{hookId}"), Token);
        await delete.ErrorAsync(403, "COMX_FORBIDDEN");

        var deleted = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Delete, $"/api/org/v1/webhooks/{hookId}"), Token);
        Assert.Equal(204, (int)deleted.StatusCode);
        var again = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Delete, $"/api/org/v1/webhooks/{hookId}"), Token);
        await again.ErrorAsync(404, "COMX_NOT_FOUND");
    }

    [Fact]
    public async Task AnotherOrgsHookAndDelivery_AreNotFound()
    {
        var owner = await TestOrg.CreateAsync(_app);
        var other = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, owner, receiver.Url);
        await DeliveryHarness.RaiseAsync(_app, owner.OrgId);
        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 1);
        var deliveryId = receiver.Requests[0].Headers["X-Comx-Delivery"];

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/api/org/v1/webhooks/{hookId}/deliveries"),
            (HttpMethod.Post, $"/api/org/v1/webhooks/{hookId}/enable"),
            (HttpMethod.Post, $"/api/org/v1/webhooks/{hookId}/deliveries/{deliveryId}/resend"),
            (HttpMethod.Delete, $"/api/org/v1/webhooks/{hookId}"),
        })
        {
            var response = await _app.Client.SendAsync(other.AsAdmin(method, path), Token);
            await response.ErrorAsync(404, "COMX_NOT_FOUND");
        }

        // The owner's unknown delivery id is 404 too; the hook still exists.
        var unknown = await _app.Client.SendAsync(owner.AsAdmin(HttpMethod.Post, $"/api/org/v1/webhooks/{hookId}/deliveries/dlv_nope/resend"), Token);
        await unknown.ErrorAsync(404, "COMX_NOT_FOUND");
        Assert.Equal(hookId, (await DeliveryHarness.HookAsync(_app, owner, hookId)).GetProperty("hook_id").GetString());
    }

    [Fact]
    public async Task Samples_GiveOneBodyPerEventType_InTheDeliveredShape()
    {
        var org = await TestOrg.CreateAsync(_app);
        var samples = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/webhooks/samples"), Token)).JsonAsync(200);
        var data = samples.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(EventTypes.All, data.Select(s => s.GetProperty("event_type").GetString()));
        foreach (var sample in data)
        {
            var body = sample.GetProperty("body");
            Assert.Equal(["id", "type", "created_at", "org_id", "data"], body.EnumerateObject().Select(p => p.Name));
            Assert.Equal(sample.GetProperty("event_type").GetString(), body.GetProperty("type").GetString());
            Assert.Equal(org.OrgId, body.GetProperty("org_id").GetString());
            Assert.Equal(JsonValueKind.Object, body.GetProperty("data").ValueKind);
        }
    }
}
