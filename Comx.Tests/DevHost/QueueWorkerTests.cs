using Azure.Storage.Queues;
using Comx.Core.Storage;
using Comx.DevHost;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comx.Tests.DevHost;

public sealed class QueueWorkerTests
{
    private static readonly HostJsonQueueSettings Fast = new(MaxDequeueCount: 5, VisibilityTimeout: TimeSpan.Zero, MaxPollingInterval: TimeSpan.FromMilliseconds(200), BatchSize: 16);

    private static (QueueClient Queue, QueueClient Poison) NewQueues()
    {
        var name = "test-" + Guid.NewGuid().ToString("N")[..20];
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return (new QueueClient(AzuriteFixture.ConnectionString, name, options), new QueueClient(AzuriteFixture.ConnectionString, StorageNames.Queues.Poison(name), options));
    }

    [Fact]
    public async Task MessageThatThrowsFiveTimes_LandsInPoisonQueue()
    {
        var (queue, poison) = NewQueues();
        await queue.CreateAsync();
        var attempts = new List<long>();
        var worker = new QueueWorker(queue, poison, (message, _) =>
        {
            lock (attempts)
            {
                attempts.Add(message.DequeueCount);
            }

            throw new InvalidOperationException("always fails");
        }, Fast, NullLogger.Instance);
        await queue.SendMessageAsync("{\"version\":1,\"job_id\":\"job_x\"}");

        for (var i = 0; i < 50 && attempts.Count < 5; i++)
        {
            await worker.DrainOnceAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal([1L, 2, 3, 4, 5], attempts);
        Assert.Null((await queue.PeekMessageAsync(TestContext.Current.CancellationToken)).Value);
        var poisoned = (await poison.ReceiveMessageAsync(cancellationToken: TestContext.Current.CancellationToken)).Value;
        Assert.Equal("{\"version\":1,\"job_id\":\"job_x\"}", poisoned.Body.ToString());
    }

    [Fact]
    public async Task MessageThatSucceedsOnThirdAttempt_IsDeletedAndNotPoisoned()
    {
        var (queue, poison) = NewQueues();
        await queue.CreateAsync();
        var attempts = 0;
        var worker = new QueueWorker(queue, poison, (_, _) =>
            ++attempts < 3 ? throw new InvalidOperationException("transient") : Task.CompletedTask, Fast, NullLogger.Instance);
        await queue.SendMessageAsync("hello");

        for (var i = 0; i < 50 && attempts < 3; i++)
        {
            await worker.DrainOnceAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, attempts);
        Assert.Null((await queue.PeekMessageAsync(TestContext.Current.CancellationToken)).Value);
        Assert.False(await poison.ExistsAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task MessagesAreBase64OnTheWire_AsTheFunctionsTriggerExpects()
    {
        var (queue, _) = NewQueues();
        var sender = new QueueClient(AzuriteFixture.ConnectionString, queue.Name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await sender.CreateAsync();
        await new QueueSender(TestSettings.Storage())
            .SendAsync(queue.Name, new { Version = 1, JobId = "job_abc" }, cancellationToken: TestContext.Current.CancellationToken);

        var raw = new QueueClient(AzuriteFixture.ConnectionString, queue.Name);
        var message = (await raw.PeekMessageAsync(TestContext.Current.CancellationToken)).Value;
        var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString()));
        Assert.Equal("{\"version\":1,\"job_id\":\"job_abc\"}", text);
    }

    [Fact]
    public void HostJson_IsWhatTheDevHostReads()
    {
        var settings = HostJsonQueueSettings.Load(Path.Combine(AppContext.BaseDirectory, "host.json"));
        Assert.Equal(5, settings.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.VisibilityTimeout);
    }
}
