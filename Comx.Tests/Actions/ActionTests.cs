using System.Text.Json;
using Comx.Core.Events;
using Comx.Tests.Deliveries;
using Comx.Tests.Infrastructure;

namespace Comx.Tests.Actions;

public sealed class ActionTests : IAsyncLifetime
{
    private TestApp _app = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _app = await DeliveryHarness.StartAppAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> ProposeAsync(TestOrg org, Uri target, object? payload = null)
    {
        var response = await _app.Client.SendAsync(org.AsKey(HttpMethod.Post, "/api/org/v1/actions/proposals", TestApp.Json(new
        {
            action_type = "create_ticket",
            target_url = target.ToString(),
            payload = payload ?? new { subject = "Call back", priority = 2, tags = new[] { "admissions" }, nested = new { ok = true } },
            summary = "Open a ticket for the visitor's call-back request",
        })), Token);
        var body = await response.JsonAsync(201);
        Assert.Equal("proposed", body.GetProperty("status").GetString());
        return body.GetProperty("proposal_id").GetString()!;
    }

    private async Task<JsonElement> GetAsync(TestOrg org, string proposalId) =>
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, $"/api/org/v1/actions/{proposalId}"), Token)).JsonAsync(200);

    [Fact]
    public async Task ApprovedAction_ExecutesOnce_SignedWithTheOrgsActionSecret_AndRaisesActionExecuted()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var target = await WebhookReceiver.StartAsync();
        await using var subscriber = await WebhookReceiver.StartAsync();
        await DeliveryHarness.SubscribeAsync(_app, org, subscriber.Url, EventTypes.ActionExecuted, EventTypes.ActionFailed);
        var proposalId = await ProposeAsync(org, target.Url);

        var approved = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/approve"), Token)).JsonAsync(200);
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(org.AdminUserId, approved.GetProperty("approved_by").GetString());

        var executed = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/execute"), Token)).JsonAsync(202);
        Assert.Equal("executing", executed.GetProperty("status").GetString());
        var deliveryId = executed.GetProperty("delivery_id").GetString();
        var again = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/execute"), Token)).JsonAsync(202);
        Assert.Equal(deliveryId, again.GetProperty("delivery_id").GetString());

        await DeliveryHarness.DrainUntilAsync(_app, () => target.Requests.Count >= 1 && subscriber.Requests.Count >= 1);

        // One request to the target, signed with the action secret an admin can read.
        var request = Assert.Single(target.Requests);
        var secret = (await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/actions/signing-secret"), Token)).JsonAsync(200))
            .GetProperty("signing_secret").GetString()!;
        Assert.Equal(Core.Deliveries.WebhookSignature.Sign(secret, request.Body), request.Headers["X-Comx-Signature"]);
        Assert.Equal(deliveryId, request.Headers["X-Comx-Delivery"]);
        Assert.Equal("action.execute", request.Headers["X-Comx-Event"]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(proposalId, body.RootElement.GetProperty("id").GetString());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal("create_ticket", data.GetProperty("action_type").GetString());
        Assert.Equal("Call back", data.GetProperty("payload").GetProperty("subject").GetString());
        Assert.True(data.GetProperty("payload").GetProperty("nested").GetProperty("ok").GetBoolean());

        var proposal = await GetAsync(org, proposalId);
        Assert.Equal("succeeded", proposal.GetProperty("status").GetString());
        var attempt = Assert.Single(proposal.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("status_code").GetInt32());

        // The outcome event reached the subscriber; executing once more still sends nothing.
        using var outcome = JsonDocument.Parse(subscriber.Requests.Single().Body);
        Assert.Equal(EventTypes.ActionExecuted, outcome.RootElement.GetProperty("type").GetString());
        Assert.Equal(proposalId, outcome.RootElement.GetProperty("data").GetProperty("proposal_id").GetString());
        Assert.Equal(deliveryId, outcome.RootElement.GetProperty("data").GetProperty("delivery_id").GetString());
        var third = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/execute"), Token)).JsonAsync(202);
        Assert.Equal(deliveryId, third.GetProperty("delivery_id").GetString());
        Assert.Equal("succeeded", third.GetProperty("status").GetString());
        await Task.Delay(300, Token);
        await DeliveryHarness.DrainUntilAsync(_app, () => true);
        Assert.Single(target.Requests);
        Assert.Single(subscriber.Requests);
    }

    [Fact]
    public async Task ApprovalRulesAndRoles_AreEnforced()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var target = await WebhookReceiver.StartAsync();
        var proposalId = await ProposeAsync(org, target.Url);

        var early = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/execute"), Token);
        var earlyError = await early.ErrorAsync(409, "COMX_IDEMPOTENCY_CONFLICT");
        Assert.Equal("proposed", earlyError.GetProperty("details").GetProperty("status").GetString());
        Assert.Contains("approve", earlyError.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);

        var byMember = await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/approve"), Token);
        await byMember.ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.Equal("proposed", (await GetAsync(org, proposalId)).GetProperty("status").GetString());

        await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/approve"), Token)).JsonAsync(200);
        var twice = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/approve"), Token);
        var twiceError = await twice.ErrorAsync(409, "COMX_IDEMPOTENCY_CONFLICT");
        Assert.Equal(org.AdminUserId, twiceError.GetProperty("details").GetProperty("approved_by").GetString());

        var secretByMember = await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/actions/signing-secret"), Token);
        await secretByMember.ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.Empty(target.Requests);
    }

    [Fact]
    public async Task ConcurrentExecutes_ShareOneDelivery_AndSendOnce()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var target = await WebhookReceiver.StartAsync();
        var proposalId = await ProposeAsync(org, target.Url);
        await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/approve"), Token)).JsonAsync(200);

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/execute"), Token)));
        var ids = new List<string>();
        foreach (var response in responses)
        {
            ids.Add((await response.JsonAsync(202)).GetProperty("delivery_id").GetString()!);
        }

        Assert.Single(ids.Distinct());
        await DeliveryHarness.DrainUntilAsync(_app, async () => (await GetAsync(org, proposalId)).GetProperty("status").GetString() == "succeeded");
        await Task.Delay(300, Token);
        await DeliveryHarness.DrainUntilAsync(_app, () => true);
        Assert.Single(target.Requests);
    }

    [Fact]
    public async Task FailingTarget_FailsTheProposalAfterTheLastAttempt_AndRaisesActionFailed()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var target = await WebhookReceiver.StartAsync(_ => 500);
        await using var subscriber = await WebhookReceiver.StartAsync();
        await DeliveryHarness.SubscribeAsync(_app, org, subscriber.Url, EventTypes.ActionFailed);
        var proposalId = await ProposeAsync(org, target.Url);
        await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/approve"), Token)).JsonAsync(200);
        await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/execute"), Token)).JsonAsync(202);

        await DeliveryHarness.DrainUntilAsync(_app, () => subscriber.Requests.Count >= 1);

        Assert.Equal(3, target.Requests.Count);
        var proposal = await GetAsync(org, proposalId);
        Assert.Equal("failed", proposal.GetProperty("status").GetString());
        Assert.Equal(3, proposal.GetProperty("attempts").GetArrayLength());
        Assert.Equal("The endpoint answered 500.", proposal.GetProperty("error").GetString());
        using var outcome = JsonDocument.Parse(subscriber.Requests.Single().Body);
        Assert.Equal(EventTypes.ActionFailed, outcome.RootElement.GetProperty("type").GetString());
        Assert.Equal(3, outcome.RootElement.GetProperty("data").GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task InvalidProposals_AreFieldErrors()
    {
        var org = await TestOrg.CreateAsync(_app);
        async Task<string> FieldAsync(object body) =>
            (await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, "/api/org/v1/actions/proposals", TestApp.Json(body)), Token))
                .ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString()!;

        Assert.Equal("payload", await FieldAsync(new { action_type = "x", target_url = "https://example.org/a", payload = new[] { 1, 2 }, summary = "s" }));
        Assert.Equal("target_url", await FieldAsync(new { action_type = "x", target_url = "http://169.254.169.254/", payload = new { }, summary = "s" }));
        Assert.Equal("action_type", await FieldAsync(new { action_type = "Bad Type", target_url = "https://example.org/a", payload = new { }, summary = "s" }));
        Assert.Equal("thread_id", await FieldAsync(new { action_type = "x", target_url = "https://example.org/a", payload = new { }, summary = "s", thread_id = "thr_missing" }));
    }

    [Fact]
    public async Task AnotherOrgsProposal_IsNotFound()
    {
        var owner = await TestOrg.CreateAsync(_app);
        var other = await TestOrg.CreateAsync(_app);
        var proposalId = await ProposeAsync(owner, new Uri("https://example.org/hook"));

        await (await _app.Client.SendAsync(other.AsAdmin(HttpMethod.Get, $"/api/org/v1/actions/{proposalId}"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(other.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/approve"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(other.AsAdmin(HttpMethod.Post, $"/api/org/v1/actions/{proposalId}/execute"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        Assert.Equal("proposed", (await GetAsync(owner, proposalId)).GetProperty("status").GetString());
    }
}
