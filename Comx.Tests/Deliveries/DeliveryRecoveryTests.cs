using System.Diagnostics.Metrics;
using Comx.Core.Deliveries;
using Comx.Core.Events;
using Comx.Core.Storage;
using Comx.Tests.Chat;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Deliveries;

/// <summary>Issue 14 items 9 and 13: a dispatch queues each delivery once, and a delivery a crash left behind carries on within two minutes.</summary>
public sealed class DeliveryRecoveryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ParallelEnquiriesAndRepeatedDispatches_QueueEachDeliveryOnce()
    {
        await using var app = await DeliveryHarness.StartAppAsync();
        var chat = await ChatTestOrg.CreateAsync(app);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(app, chat.Org, receiver.Url, EventTypes.EnquiryCreated);

        // Count what this app puts on the deliveries queue (its own meter factory: other test apps are not counted).
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        long sent = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "comx.queue.messages_sent")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "queue", Value: StorageNames.Queues.WebhookDeliveries })
                {
                    Interlocked.Add(ref sent, value);
                }
            }
        });
        listener.Start();

        const int Enquiries = 30;
        await Task.WhenAll(Enumerable.Range(0, Enquiries).Select(async i =>
        {
            var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/enquiries", TestApp.Json(new
            {
                widget_key = chat.WidgetKey, name = $"Parent {i}", email = $"parent{i}@example.org", message = "Open days?", consent = true,
            }), TestSettings.NewIp());
            request.Headers.Add("Origin", ChatTestOrg.Origin);
            await (await app.Client.SendAsync(request, Token)).JsonAsync(201);
        }));

        // Every enquiry's dispatch message handled at once, as 30 queue workers would.
        var dispatcher = app.Services.GetRequiredService<EventDispatcher>();
        await Task.WhenAll(Enumerable.Range(0, Enquiries).Select(_ => dispatcher.DispatchAsync(chat.Org.OrgId, Token)));

        var deliveries = (await app.Services.GetRequiredService<DeliveryStore>().ListForHookAsync(chat.Org.OrgId, hookId, new PageRequest(100, null), Token)).Data;
        Assert.Equal(Enquiries, deliveries.Count);
        var messages = Interlocked.Read(ref sent);
        TestContext.Current.TestOutputHelper?.WriteLine($"{Enquiries} enquiries: {messages} messages on {StorageNames.Queues.WebhookDeliveries} for {deliveries.Count} deliveries ({(double)messages / deliveries.Count:F2} per delivery)");
        // At most one dispatch message per enquiry (an organisation's commits share them) and one first-attempt message per delivery.
        Assert.InRange(messages, 1, 2 * deliveries.Count);
    }

    [Fact]
    public async Task DeliveryLeftSendingByACrash_IsQueuedAgainWithinTwoMinutes_AndSentOnce()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(s => s.AddSingleton<TimeProvider>(time), new Dictionary<string, string?>(DeliveryHarness.FastSettings));
        var org = await TestOrg.CreateAsync(app);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(app, org, receiver.Url);
        var store = app.Services.GetRequiredService<DeliveryStore>();
        var worker = app.Services.GetRequiredService<DeliveryWorker>();

        // A delivery whose first attempt a worker claimed and then died with (no queue message left to redeliver).
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"id":"{{eventId}}","type":"ingest.succeeded"}""");
        var (delivery, created) = await store.AddAsync(org.OrgId, DeliveryKind.Hook, hookId, DeliveryStore.EventDeliveryId(eventId, hookId, time.GetUtcNow()), eventId,
            EventTypes.IngestSucceeded, null, body, cancellationToken: Token);
        Assert.True(created);
        Assert.Equal(ClaimOutcome.Claimed, (await store.ClaimAsync(org.OrgId, delivery.Row, 1, TimeSpan.FromMinutes(1), Token)).Outcome);

        // While the claim could still be a live request, the sweep leaves it alone.
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(await worker.RecoverAsync(Token), q => q.Row == delivery.Row);

        // Well within two minutes of the crash (the sweep runs every minute), the attempt is queued again, once.
        time.Advance(TimeSpan.FromSeconds(60));
        var recovered = Assert.Single(await worker.RecoverAsync(Token), q => q.Row == delivery.Row);
        Assert.Equal(1, recovered.Attempt);
        Assert.DoesNotContain(await worker.RecoverAsync(Token), q => q.Row == delivery.Row);

        // That message records the lost attempt as failed and schedules the retry, which sends once.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        await worker.DeliverAsync(org.OrgId, delivery.Row, 1, Token);
        while (await store.GetAsync(org.OrgId, delivery.Row, Token) is { Finished: false } current)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Delivery stayed {current.Status} after attempt {current.AttemptCount}.");
            time.Advance(TimeSpan.FromSeconds(5));
            await worker.DeliverAsync(org.OrgId, delivery.Row, current.AttemptCount + (current.Status == DeliveryStatus.Pending ? 1 : 0), Token);
            await Task.Delay(100, Token);
        }

        await worker.DeliverAsync(org.OrgId, delivery.Row, 2, Token);
        var finished = (await store.GetAsync(org.OrgId, delivery.Row, Token))!;
        Assert.Equal(DeliveryStatus.Succeeded, finished.Status);
        Assert.Single(receiver.Requests);
        Assert.Equal([false, true], finished.Attempts.Select(a => a.Succeeded));
        Assert.Contains("stopped before recording", finished.Attempts[0].Error, StringComparison.Ordinal);
        Assert.DoesNotContain(await worker.RecoverAsync(Token), q => q.Row == delivery.Row);
    }
}
