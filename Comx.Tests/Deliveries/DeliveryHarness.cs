using System.Text.Json;
using Comx.Core.Deliveries;
using Comx.Core.Events;
using Comx.Core.Jobs;
using Comx.Core.Storage;
using Comx.DevHost;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comx.Tests.Deliveries;

/// <summary>
/// Runs the webhook-deliveries queue the way the DevHost does (its <see cref="QueueWorker"/> over Core's job), with a
/// short retry schedule. The queue is shared by every test, so every test app that drains it uses these same settings:
/// a message is handled correctly whichever test's app happens to take it.
/// </summary>
public static class DeliveryHarness
{
    public static readonly IReadOnlyDictionary<string, string?> FastSettings = new Dictionary<string, string?>
    {
        ["Comx:Deliveries:RetrySchedule"] = "1s, 2s",
        ["Comx:Deliveries:Jitter"] = "0",
        ["Comx:Deliveries:RequestTimeout"] = "00:00:03",
        ["Comx:Deliveries:PauseAfterFailures"] = "3",
        ["Comx:Deliveries:PauseAfterFailingFor"] = "00:00:00",

        // Every app that drains the shared queue sends e-mail to the same real SMTP server on loopback.
        ["Comx:Smtp:Host"] = "127.0.0.1",
        ["Comx:Smtp:Port"] = Notifications.SmtpCatcher.Shared.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Comx:Smtp:From"] = "comxbot@comx.test",
        ["Comx:Smtp:UseTls"] = "false",
    };

    private static readonly HostJsonQueueSettings Worker = new(MaxDequeueCount: 5, VisibilityTimeout: TimeSpan.FromSeconds(1), MaxPollingInterval: TimeSpan.FromMilliseconds(200), BatchSize: 16);

    public static Task<TestApp> StartAppAsync() => TestApp.StartAsync(settings: new Dictionary<string, string?>(FastSettings));

    /// <summary>Drains the queue until <paramref name="done"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task DrainUntilAsync(TestApp app, Func<Task<bool>> done, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(done);
        var jobs = app.Services.GetRequiredService<ComxJobs>();
        var storage = app.Storage;
        var worker = new QueueWorker(storage.Queue(StorageNames.Queues.WebhookDeliveries), storage.Queue(StorageNames.Queues.Poison(StorageNames.Queues.WebhookDeliveries)),
            (message, ct) => jobs.RunQueueJobAsync(JobNames.WebhookDeliveries, message, ct), Worker, NullLogger.Instance);
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var handled = 0;
        while (!await done())
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                var waiting = (await storage.Queue(StorageNames.Queues.WebhookDeliveries).GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount;
                Assert.Fail($"The deliveries did not reach the expected state in time ({handled} messages handled, about {waiting} in the queue).");
            }

            var taken = await worker.DrainOnceAsync(TestContext.Current.CancellationToken);
            handled += taken;
            if (taken == 0)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }

    public static Task DrainUntilAsync(TestApp app, Func<bool> done, TimeSpan? timeout = null) => DrainUntilAsync(app, () => Task.FromResult(done()), timeout);

    /// <summary>Creates a subscription through the API as the org's admin; returns its id and signing secret.</summary>
    public static async Task<(string HookId, string Secret)> SubscribeAsync(TestApp app, TestOrg org, Uri url, params string[] events)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(org);
        var response = await app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, "/api/org/v1/webhooks",
            TestApp.Json(new { url = url.ToString(), events = events.Length == 0 ? [EventTypes.IngestSucceeded] : events })), TestContext.Current.CancellationToken);
        var body = await response.JsonAsync(201);
        return (body.GetProperty("hook_id").GetString()!, body.GetProperty("signing_secret").GetString()!);
    }

    /// <summary>Raises an event through the outbox (and its dispatch message), as a feature would.</summary>
    public static Task<string> RaiseAsync(TestApp app, string orgId) =>
        RaiseAsync(app, orgId, new IngestSucceededData("job_" + Guid.NewGuid().ToString("N"), "src_x", "Source", "succeeded", 3));

    /// <summary>Raises an event with the given payload through the outbox (and its dispatch message), as a feature would.</summary>
    public static async Task<string> RaiseAsync<T>(TestApp app, string orgId, T data) where T : IEventData
    {
        ArgumentNullException.ThrowIfNull(app);
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await app.Services.GetRequiredService<EventStore>().AddAsync(orgId, [EventRecord.Create(eventId, DateTimeOffset.UtcNow, data)],
            TestContext.Current.CancellationToken);
        return eventId;
    }

    public static async Task<JsonElement> DeliveriesAsync(TestApp app, TestOrg org, string hookId)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(org);
        var response = await app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, $"/api/org/v1/webhooks/{hookId}/deliveries"), TestContext.Current.CancellationToken);
        return (await response.JsonAsync(200)).GetProperty("data");
    }

    /// <summary>The statuses of a subscription's deliveries, newest first.</summary>
    public static async Task<IReadOnlyList<string>> StatusesAsync(TestApp app, TestOrg org, string hookId) =>
        [.. (await DeliveriesAsync(app, org, hookId)).EnumerateArray().Select(d => d.GetProperty("status").GetString()!)];

    public static async Task<JsonElement> HookAsync(TestApp app, TestOrg org, string hookId)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(org);
        var response = await app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/webhooks"), TestContext.Current.CancellationToken);
        return (await response.JsonAsync(200)).GetProperty("data").EnumerateArray().Single(h => h.GetProperty("hook_id").GetString() == hookId);
    }

    public static Task<Delivery?> DeliveryAsync(TestApp app, string orgId, string hookId, string deliveryId) =>
        app.Services.GetRequiredService<DeliveryStore>().GetAsync(orgId, DeliveryStore.HookRow(hookId, deliveryId), TestContext.Current.CancellationToken);
}
