using Microsoft.Extensions.Logging;

namespace Comx.Core.Events;

/// <summary>
/// One consumer of the event pipeline (signed webhook deliveries, e-mail notifications). It must be idempotent per
/// event: a dispatch that stops part-way hands the same events to every consumer again.
/// </summary>
public interface IEventConsumer
{
    /// <summary>Takes a batch of the organisation's outbox events; throwing leaves them in the outbox for the next dispatch.</summary>
    Task ConsumeAsync(string orgId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// The pipeline: reads an organisation's outbox, hands each batch to every consumer, then removes the batch. The sweep
/// (a timer) dispatches every organisation still marked pending, so an event whose dispatch message was lost is still
/// consumed. Every step is safe to repeat.
/// </summary>
public sealed partial class EventDispatcher(EventStore events, IEnumerable<IEventConsumer> consumers, TimeProvider time, ILogger<EventDispatcher> logger)
{
    /// <summary>
    /// A pending marker younger than this is left for the sweeper even when the outbox is empty: a writer marks before
    /// its transaction commits, so a young marker may belong to events that are about to appear.
    /// </summary>
    public static readonly TimeSpan PendingGrace = TimeSpan.FromSeconds(30);

    private const int Batch = 100;

    private readonly IReadOnlyList<IEventConsumer> _consumers = [.. consumers];

    /// <summary>Dispatches every organisation still marked as having pending events.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var orgId in await events.ListPendingOrgsAsync(cancellationToken))
        {
            await DispatchAsync(orgId, cancellationToken);
        }
    }

    /// <summary>Hands the organisation's outbox events to every consumer, then clears its pending marker (if nobody marked it since).</summary>
    public async Task DispatchAsync(string orgId, CancellationToken cancellationToken)
    {
        var marker = await events.GetPendingAsync(orgId, cancellationToken);
        while (true)
        {
            var batch = await events.ListAsync(orgId, Batch, cancellationToken);
            if (batch.Count > 0)
            {
                foreach (var consumer in _consumers)
                {
                    await consumer.ConsumeAsync(orgId, batch, cancellationToken);
                }

                foreach (var e in batch)
                {
                    await events.RemoveAsync(orgId, e, cancellationToken);
                }

                LogDispatched(logger, orgId, batch.Count, _consumers.Count);
            }

            if (batch.Count < Batch)
            {
                break;
            }
        }

        if (marker is { } pending && time.GetUtcNow() - pending.MarkedAt >= PendingGrace)
        {
            await events.ClearPendingAsync(orgId, pending.ETag, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatched {Count} events of {OrgId} to {Consumers} consumers")]
    private static partial void LogDispatched(ILogger logger, string orgId, int count, int consumers);
}
