using System.Text.Json;
using Azure.Storage.Queues.Models;
using Comx.Core.DataProtection;
using Comx.Core.Deliveries;
using Comx.Core.Events;
using Comx.Core.Jobs;
using Comx.Core.Knowledge;
using Comx.Core.Storage;
using Comx.DevHost;
using Comx.Tests.Infrastructure;
using Comx.Tests.Knowledge;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comx.Tests.Storage;

/// <summary>
/// The one versioning rule of every queue message (<see cref="QueueMessages"/>): the current version is written as
/// <c>version</c> and read back as it was; a message of a version the reader does not know is never run and never
/// dropped: its job throws, so the host retries it and then keeps it in the poison queue.
/// </summary>
public sealed class QueueMessagesTests : IAsyncLifetime
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly HostJsonQueueSettings Fast = new(MaxDequeueCount: 5, VisibilityTimeout: TimeSpan.Zero, MaxPollingInterval: TimeSpan.FromMilliseconds(200), BatchSize: 16);

    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static QueueMessage Message(string json) =>
        QueuesModelFactory.QueueMessage("msg-" + Guid.NewGuid().ToString("N"), "pop", BinaryData.FromString(json), 1);

    [Fact]
    public async Task EveryQueueMessage_AtItsCurrentVersion_RoundTripsThroughARealQueue()
    {
        var name = "test-" + Guid.NewGuid().ToString("N")[..20];
        var queue = _app.Storage.Queue(name);
        await queue.CreateAsync(cancellationToken: Token);
        try
        {
            var sender = _app.Services.GetRequiredService<QueueSender>();
            var ingest = IngestJobMessage.For("org_a", "job_a");
            var erasure = ErasureMessage.For("org_a", "era_a");
            var deliver = DeliveryQueueMessage.DeliverAttempt("org_a", "h|whk_a|dlv_a", 2);
            var dispatch = EventsQueueMessage.Dispatch("org_a");
            await sender.SendAsync(name, ingest, cancellationToken: Token);
            await sender.SendAsync(name, erasure, cancellationToken: Token);
            await sender.SendAsync(name, deliver, cancellationToken: Token);
            await sender.SendAsync(name, dispatch, cancellationToken: Token);

            var received = (await queue.ReceiveMessagesAsync(4, cancellationToken: Token)).Value;
            Assert.Equal(4, received.Length);
            var bodies = received.Select(m => m.Body).ToList();
            Assert.All(bodies, b => Assert.Equal(1, JsonDocument.Parse(b.ToString()).RootElement.GetProperty("version").GetInt32()));
            Assert.Equal(ingest, QueueMessages.Read<IngestJobMessage>(bodies[0], IngestJobMessage.CurrentVersion));
            Assert.Equal(erasure, QueueMessages.Read<ErasureMessage>(bodies[1], ErasureMessage.CurrentVersion));
            Assert.Equal(deliver, QueueMessages.Read<DeliveryQueueMessage>(bodies[2], DeliveryQueueMessage.CurrentVersion));
            Assert.Equal(dispatch, QueueMessages.Read<EventsQueueMessage>(bodies[3], EventsQueueMessage.CurrentVersion));
            // The dispatch message is read by the deliveries worker as a delivery-queue message of kind dispatch.
            Assert.Equal(DeliveryQueueMessage.Dispatch, QueueMessages.Read<DeliveryQueueMessage>(bodies[3], DeliveryQueueMessage.CurrentVersion).Kind);
        }
        finally
        {
            await queue.DeleteAsync(Token);
        }
    }

    [Fact]
    public void IngestAndErasureMessages_QueuedByEarlierBuildsAsV_AreReadAsThatVersion_AndVIsNeverWritten()
    {
        var ingest = QueueMessages.Read<IngestJobMessage>(BinaryData.FromString("""{"v":1,"org_id":"org_x","job_id":"job_x"}"""), IngestJobMessage.CurrentVersion);
        Assert.Equal(IngestJobMessage.For("org_x", "job_x"), ingest);
        var erasure = QueueMessages.Read<ErasureMessage>(BinaryData.FromString("""{"v":1,"org_id":"org_x","erasure_id":"era_x"}"""), ErasureMessage.CurrentVersion);
        Assert.Equal(ErasureMessage.For("org_x", "era_x"), erasure);
        Assert.Throws<InvalidOperationException>(() => QueueMessages.Read<IngestJobMessage>(BinaryData.FromString("""{"v":2,"org_id":"org_x","job_id":"job_x"}"""), 1));
        Assert.Equal("""{"version":1,"org_id":"org_x","job_id":"job_x"}""", Core.Http.ComxJson.Serialize(ingest));
    }

    [Theory]
    [InlineData(JobNames.RunIngestJob, """{"version":2,"org_id":"org_x","job_id":"job_x"}""")]
    [InlineData(JobNames.RunLearnerErasure, """{"version":2,"org_id":"org_x","erasure_id":"era_x"}""")]
    [InlineData(JobNames.WebhookDeliveries, """{"version":2,"kind":"deliver","org_id":"org_x","delivery_partition":"org_x","delivery_row":"h|whk_x|dlv_x","attempt":1}""")]
    [InlineData(JobNames.WebhookDeliveries, """{"version":2,"kind":"dispatch","org_id":"org_x"}""")]
    [InlineData(JobNames.WebhookDeliveries, """{"version":0,"kind":"dispatch","org_id":"org_x"}""")]
    [InlineData(JobNames.WebhookDeliveries, """{"version":1,"kind":"resend","org_id":"org_x"}""")]
    [InlineData(JobNames.WebhookDeliveries, "not json")]
    public async Task MessageOfAVersionOrShapeTheReaderDoesNotKnow_Throws_SoTheHostRetriesAndPoisonsIt(string job, string json)
    {
        var jobs = _app.Services.GetRequiredService<ComxJobs>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => jobs.RunQueueJobAsync(job, Message(json), Token));
    }

    [Fact]
    public async Task FutureVersionOfAnIngestMessage_LeavesTheJobQueued_AndLandsUnchangedInThePoisonQueue()
    {
        var driver = new IngestDriver(_app, await TestOrg.CreateAsync(_app));
        var created = await driver.CreateSourceAsync(new { type = "text", title = "Uniform", content = "Pupils wear a navy jumper and grey trousers." });
        var jobId = created.GetProperty("job_id").GetString()!;
        var future = $$"""{"version":{{IngestJobMessage.CurrentVersion + 1}},"org_id":"{{driver.Org.OrgId}}","job_id":"{{jobId}}"}""";

        var name = "test-" + Guid.NewGuid().ToString("N")[..20];
        var queue = _app.Storage.Queue(name);
        var poison = _app.Storage.Queue(StorageNames.Queues.Poison(name));
        await queue.CreateAsync(cancellationToken: Token);
        try
        {
            var jobs = _app.Services.GetRequiredService<ComxJobs>();
            var attempts = 0;
            var worker = new QueueWorker(queue, poison, (message, ct) =>
            {
                Interlocked.Increment(ref attempts);
                return jobs.RunQueueJobAsync(JobNames.RunIngestJob, message, ct);
            }, Fast, NullLogger.Instance);
            await queue.SendMessageAsync(future, Token);
            for (var i = 0; i < 50 && attempts < Fast.MaxDequeueCount; i++)
            {
                await worker.DrainOnceAsync(Token);
            }

            Assert.Equal(Fast.MaxDequeueCount, attempts);
            Assert.Null((await queue.PeekMessageAsync(Token)).Value);
            Assert.Equal(future, (await poison.ReceiveMessageAsync(cancellationToken: Token)).Value.Body.ToString());
            Assert.Equal("queued", (await driver.JobAsync(jobId)).GetProperty("status").GetString());

            // The same job in the current version runs.
            await driver.RunJobAsync(jobId);
            Assert.Equal("succeeded", (await driver.JobAsync(jobId)).GetProperty("status").GetString());
        }
        finally
        {
            await queue.DeleteAsync(Token);
            await poison.DeleteIfExistsAsync(Token);
        }
    }
}
