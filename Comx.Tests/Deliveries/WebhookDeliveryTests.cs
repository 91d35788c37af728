using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comx.Core.Deliveries;
using Comx.Core.Events;
using Comx.Core.Jobs;
using Comx.Core.Storage;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comx.Tests.Deliveries;

public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private TestApp _app = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _app = await DeliveryHarness.StartAppAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task DeliveredEvent_IsSignedWithTheSubscriptionSecret_AndCarriesTheOutboxBodyExactly()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (hookId, secret) = await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url, EventTypes.IngestSucceeded);
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var eventId = await DeliveryHarness.RaiseAsync(_app, org.OrgId);

        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 1);

        var request = receiver.Requests.Single();
        Assert.Equal("POST", request.Method);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), request.Body));
        Assert.Equal(expected, request.Headers["X-Comx-Signature"]);
        Assert.Equal(EventTypes.IngestSucceeded, request.Headers["X-Comx-Event"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var timestamp = long.Parse(request.Headers["X-Comx-Timestamp"], CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);

        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(eventId, body.RootElement.GetProperty("id").GetString());
        Assert.Equal(EventTypes.IngestSucceeded, body.RootElement.GetProperty("type").GetString());
        Assert.Equal(org.OrgId, body.RootElement.GetProperty("org_id").GetString());
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("data").ValueKind);

        // The delivery id header is the delivery's id, and the attempt is logged on it.
        var deliveries = await DeliveryHarness.DeliveriesAsync(_app, org, hookId);
        var delivery = Assert.Single(deliveries.EnumerateArray());
        Assert.Equal(request.Headers["X-Comx-Delivery"], delivery.GetProperty("delivery_id").GetString());
        Assert.Equal("succeeded", delivery.GetProperty("status").GetString());
        var attempt = Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("status_code").GetInt32());
        Assert.True(attempt.GetProperty("succeeded").GetBoolean());
        Assert.Equal("receiver answered 200", attempt.GetProperty("response").GetString());
        Assert.True(attempt.GetProperty("latency_ms").GetInt64() >= 0);
    }

    [Fact]
    public async Task NodeReceiverUsingTheDocumentedSnippet_VerifiesARealDelivery()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var node = await NodeReceiver.StartAsync();
        var (hookId, secret) = await DeliveryHarness.SubscribeAsync(_app, org, node.Url, EventTypes.EnquiryCreated);
        await node.SendSecretAsync(secret);
        var eventId = await DeliveryHarness.RaiseAsync(_app, org.OrgId, new EnquiryCreatedData("enq_x", "Zoë Ünicode", "zoe@example.org", null, "Café → “quotes”", null, null, DateTimeOffset.UtcNow));

        var verdictTask = node.ReadVerdictAsync();
        await DeliveryHarness.DrainUntilAsync(_app, () => verdictTask.IsCompleted);
        var verdictLine = await verdictTask;

        using var verdict = JsonDocument.Parse(verdictLine);
        Assert.True(verdict.RootElement.GetProperty("valid").GetBoolean(), verdictLine);
        Assert.Equal(eventId, verdict.RootElement.GetProperty("id").GetString());
        Assert.Equal(EventTypes.EnquiryCreated, verdict.RootElement.GetProperty("event").GetString());
        await DeliveryHarness.DrainUntilAsync(_app, async () =>
            await DeliveryHarness.StatusesAsync(_app, org, hookId) is ["succeeded"]);
        Assert.False(string.IsNullOrEmpty(verdict.RootElement.GetProperty("delivery").GetString()));
    }

    [Fact]
    public async Task NodeReceiverWithAnotherSecret_RejectsTheDelivery()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var node = await NodeReceiver.StartAsync();
        var (hookId, secret) = await DeliveryHarness.SubscribeAsync(_app, org, node.Url, EventTypes.EnquiryCreated);
        await node.SendSecretAsync(secret + "x");
        await DeliveryHarness.RaiseAsync(_app, org.OrgId, new EnquiryCreatedData("enq_y", "Y", "y@example.org", null, "Hello", null, null, DateTimeOffset.UtcNow));

        var verdictTask = node.ReadVerdictAsync();
        await DeliveryHarness.DrainUntilAsync(_app, () => verdictTask.IsCompleted);

        using var verdict = JsonDocument.Parse(await verdictTask);
        Assert.False(verdict.RootElement.GetProperty("valid").GetBoolean());
        await DeliveryHarness.DrainUntilAsync(_app, async () =>
            (await DeliveryHarness.DeliveriesAsync(_app, org, hookId)).EnumerateArray().Any(d => d.GetProperty("attempts").GetArrayLength() > 0));
        var attempt = (await DeliveryHarness.DeliveriesAsync(_app, org, hookId))[0].GetProperty("attempts")[0];
        Assert.Equal(401, attempt.GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task ReceiverFailingTwiceThenSucceeding_GetsThreeAttemptsWithGrowingDelays_AndOneDeliveryId()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync(n => n <= 2 ? 503 : 200);
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url);
        await DeliveryHarness.RaiseAsync(_app, org.OrgId);

        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 3);

        var requests = receiver.Requests;
        Assert.Equal([503, 503, 200], requests.Select(r => r.AnsweredStatus));
        Assert.Single(requests.Select(r => r.Headers["X-Comx-Delivery"]).Distinct());
        Assert.Single(requests.Select(r => Convert.ToBase64String(r.Body)).Distinct());
        var first = requests[1].ReceivedAt - requests[0].ReceivedAt;
        var second = requests[2].ReceivedAt - requests[1].ReceivedAt;
        Assert.True(first >= TimeSpan.FromSeconds(0.9), $"first retry after {first}");
        Assert.True(second > first, $"delays {first} then {second}");

        var delivery = (await DeliveryHarness.DeliveriesAsync(_app, org, hookId)).EnumerateArray().Single();
        Assert.Equal("succeeded", delivery.GetProperty("status").GetString());
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal([503, 503, 200], attempts.Select(a => a.GetProperty("status_code").GetInt32()));
        Assert.Equal("The endpoint answered 503.", attempts[0].GetProperty("error").GetString());
        Assert.NotEqual(JsonValueKind.Null, attempts[0].GetProperty("next_attempt_at").ValueKind);
        var hook = await DeliveryHarness.HookAsync(_app, org, hookId);
        Assert.Equal("active", hook.GetProperty("status").GetString());
        Assert.Equal(0, hook.GetProperty("consecutive_failures").GetInt32());
    }

    [Fact]
    public async Task DeadReceiver_FailsAfterTheLastAttempt_PausesTheSubscription_AndEnableRevivesIt()
    {
        var org = await TestOrg.CreateAsync(_app);
        var alive = false;
        await using var receiver = await WebhookReceiver.StartAsync(_ => Volatile.Read(ref alive) ? 200 : 500);
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url);
        await DeliveryHarness.RaiseAsync(_app, org.OrgId);

        await DeliveryHarness.DrainUntilAsync(_app, async () =>
            await DeliveryHarness.StatusesAsync(_app, org, hookId) is ["failed"]);

        Assert.Equal(3, receiver.Requests.Count);
        var hook = await DeliveryHarness.HookAsync(_app, org, hookId);
        Assert.Equal("paused", hook.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, hook.GetProperty("paused_at").ValueKind);
        Assert.Contains("3 in a row", hook.GetProperty("pause_reason").GetString(), StringComparison.Ordinal);

        // While paused, a new event is recorded as skipped and not sent.
        await DeliveryHarness.RaiseAsync(_app, org.OrgId);
        await DeliveryHarness.DrainUntilAsync(_app, async () => (await DeliveryHarness.DeliveriesAsync(_app, org, hookId)).GetArrayLength() == 2);
        var skipped = (await DeliveryHarness.DeliveriesAsync(_app, org, hookId))[0];
        Assert.Equal("skipped", skipped.GetProperty("status").GetString());
        Assert.Equal(3, receiver.Requests.Count);

        // Members cannot enable; admins can, and the counters start again.
        var refused = await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/webhooks/{hookId}/enable"), Token);
        await refused.ErrorAsync(403, "COMX_FORBIDDEN");
        var enabled = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/webhooks/{hookId}/enable"), Token)).JsonAsync(200);
        Assert.Equal("active", enabled.GetProperty("status").GetString());
        Assert.Equal(0, enabled.GetProperty("consecutive_failures").GetInt32());
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("paused_at").ValueKind);

        Volatile.Write(ref alive, true);
        await DeliveryHarness.RaiseAsync(_app, org.OrgId);
        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 4);
        await DeliveryHarness.DrainUntilAsync(_app, async () =>
            await DeliveryHarness.StatusesAsync(_app, org, hookId) is ["succeeded", ..]);
        Assert.Equal(200, receiver.Requests[^1].AnsweredStatus);
    }

    [Fact]
    public async Task GoneReceiver_PausesTheSubscriptionAtOnce_WithoutRetrying()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync(_ => 410);
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url);
        await DeliveryHarness.RaiseAsync(_app, org.OrgId);

        await DeliveryHarness.DrainUntilAsync(_app, async () =>
            await DeliveryHarness.StatusesAsync(_app, org, hookId) is ["failed"]);

        Assert.Single(receiver.Requests);
        var hook = await DeliveryHarness.HookAsync(_app, org, hookId);
        Assert.Equal("paused", hook.GetProperty("status").GetString());
        Assert.Contains("410", hook.GetProperty("pause_reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirect_CountsAsFailure_AndIsNotFollowed()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync(n => n == 1 ? 302 : 200);
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url);
        await DeliveryHarness.RaiseAsync(_app, org.OrgId);

        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 2);

        var delivery = (await DeliveryHarness.DeliveriesAsync(_app, org, hookId)).EnumerateArray().Single();
        var first = delivery.GetProperty("attempts")[0];
        Assert.Equal(302, first.GetProperty("status_code").GetInt32());
        Assert.False(first.GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task Resend_SendsTheSameBodyOnceMore_AsANewDelivery()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url);
        await DeliveryHarness.RaiseAsync(_app, org.OrgId);
        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 1);
        var original = (await DeliveryHarness.DeliveriesAsync(_app, org, hookId))[0].GetProperty("delivery_id").GetString()!;

        var member = await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/webhooks/{hookId}/deliveries/{original}/resend"), Token);
        await member.ErrorAsync(403, "COMX_FORBIDDEN");
        var resent = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/webhooks/{hookId}/deliveries/{original}/resend"), Token)).JsonAsync(202);
        var resentId = resent.GetProperty("delivery_id").GetString();
        Assert.NotEqual(original, resentId);
        Assert.Equal(original, resent.GetProperty("resend_of").GetString());

        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 2);
        await DeliveryHarness.DrainUntilAsync(_app, async () =>
            (await DeliveryHarness.StatusesAsync(_app, org, hookId)).All(s => s == "succeeded"));

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(receiver.Requests[0].Body, receiver.Requests[1].Body);
        Assert.Equal(resentId, receiver.Requests[1].Headers["X-Comx-Delivery"]);
        var list = await DeliveryHarness.DeliveriesAsync(_app, org, hookId);
        Assert.Equal(resentId, list[0].GetProperty("delivery_id").GetString());
    }

    [Fact]
    public async Task RedeliveredQueueMessages_DoNotSendTwice_NorCreateNewDeliveries()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url);
        var store = _app.Services.GetRequiredService<EventStore>();
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await store.AddAsync(org.OrgId, [EventRecord.Create(eventId, DateTimeOffset.UtcNow, new IngestSucceededData("job_r", "src_r", null, "succeeded", 1))], Token);
        var worker = _app.Services.GetRequiredService<DeliveryWorker>();
        var dispatcher = _app.Services.GetRequiredService<EventDispatcher>();

        // The same dispatch twice, concurrently, then once more after the outbox row is gone.
        await Task.WhenAll(dispatcher.DispatchAsync(org.OrgId, Token), dispatcher.DispatchAsync(org.OrgId, Token));
        await dispatcher.DispatchAsync(org.OrgId, Token);
        Assert.Single((await DeliveryHarness.DeliveriesAsync(_app, org, hookId)).EnumerateArray());

        // Three copies of the first attempt's message: one sends, the others find the attempt claimed or made.
        var row = (await DeliveryHarness.DeliveriesAsync(_app, org, hookId))[0].GetProperty("delivery_id").GetString()!;
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => worker.DeliverAsync(org.OrgId, DeliveryStore.HookRow(hookId, row), 1, Token)));
        await worker.DeliverAsync(org.OrgId, DeliveryStore.HookRow(hookId, row), 1, Token);
        await DeliveryHarness.DrainUntilAsync(_app, async () =>
            await DeliveryHarness.StatusesAsync(_app, org, hookId) is ["succeeded", ..]);
        await Task.Delay(500, Token);
        await DeliveryHarness.DrainUntilAsync(_app, () => true);

        Assert.Single(receiver.Requests);
        var delivery = (await DeliveryHarness.DeliveriesAsync(_app, org, hookId)).EnumerateArray().Single();
        Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
        Assert.Equal(row, receiver.Requests[0].Headers["X-Comx-Delivery"]);
        Assert.Equal(eventId, delivery.GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task EventWrittenWithoutItsDispatchMessage_IsDeliveredByTheSweep()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync();
        await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url, EventTypes.HandoffRequested);

        // A store whose queue refuses the dispatch message: as if the process stopped between the committed write and the message.
        var broken = TestSettings.StorageWhoseQueuesRefuse();
        var signals = new DispatchSignals(new QueueSender(broken), NullLogger<DispatchSignals>.Instance);
        var crashing = new EventStore(broken, signals, TimeProvider.System);
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await crashing.AddAsync(org.OrgId, [EventRecord.Create(eventId, DateTimeOffset.UtcNow, new HandoffRequestedData("hof_x", "thr_x", "ses_x", null, null,
            HandoffRequesters.Visitor, null))], Token);
        await signals.IdleAsync();
        var outbox = await _app.Services.GetRequiredService<EventStore>().ListAsync(org.OrgId, 10, Token);
        Assert.Equal(eventId, Assert.Single(outbox).EventId);

        await _app.Services.GetRequiredService<ComxJobs>().RunTimerAsync(JobNames.SweepOutbox, Token);
        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 1);

        using var body = JsonDocument.Parse(receiver.Requests.Single().Body);
        Assert.Equal(eventId, body.RootElement.GetProperty("id").GetString());
        Assert.Empty(await _app.Services.GetRequiredService<EventStore>().ListAsync(org.OrgId, 10, Token));
    }

    [Fact]
    public async Task EventTypesASubscriptionDidNotAskFor_AreNotDelivered_AndEachSubscriptionGetsItsOwnDelivery()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var first = await WebhookReceiver.StartAsync();
        await using var second = await WebhookReceiver.StartAsync();
        var (firstHook, firstSecret) = await DeliveryHarness.SubscribeAsync(_app, org, first.Url, EventTypes.IngestSucceeded, EventTypes.IngestFailed);
        var (secondHook, secondSecret) = await DeliveryHarness.SubscribeAsync(_app, org, second.Url, EventTypes.IngestSucceeded);
        await DeliveryHarness.RaiseAsync(_app, org.OrgId, new IngestFailedData("job_f", "src_f", null, "failed", "The server answered 404 Not Found."));
        await DeliveryHarness.RaiseAsync(_app, org.OrgId);

        await DeliveryHarness.DrainUntilAsync(_app, () => first.Requests.Count >= 2 && second.Requests.Count >= 1);

        Assert.Single(second.Requests);
        Assert.Equal(EventTypes.IngestSucceeded, second.Requests[0].Headers["X-Comx-Event"]);
        Assert.NotEqual(firstSecret, secondSecret);
        Assert.Equal(WebhookSignature.Sign(secondSecret, second.Requests[0].Body), second.Requests[0].Headers["X-Comx-Signature"]);
        Assert.NotEqual(firstHook, secondHook);
    }
}
