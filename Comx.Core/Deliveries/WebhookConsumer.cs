using System.Text;
using Comx.Core.Events;
using Microsoft.Extensions.Logging;

namespace Comx.Core.Deliveries;

/// <summary>
/// The webhook consumer of the event pipeline: one delivery per event and matching subscription (its id derived from
/// both, so a repeated dispatch finds the delivery it made instead of making another), each queued for its first attempt.
/// </summary>
public sealed partial class WebhookConsumer(WebhookStore hooks, DeliveryStore deliveries, DeliveryScheduler queue, ILogger<WebhookConsumer> logger) : IEventConsumer
{
    public async Task ConsumeAsync(string orgId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var subscriptions = await hooks.ListAsync(orgId, cancellationToken);
        foreach (var e in events)
        {
            var body = Encoding.UTF8.GetBytes(e.Json);
            foreach (var hook in subscriptions.Where(h => h.Wants(e.Type)))
            {
                var paused = hook.Status == HookStatus.Paused;
                var (delivery, created) = await deliveries.AddAsync(orgId, DeliveryKind.Hook, hook.HookId,
                    DeliveryStore.EventDeliveryId(e.EventId, hook.HookId, e.CreatedAt), e.EventId, e.Type, null, body,
                    paused ? DeliveryStatus.Skipped : DeliveryStatus.Pending, paused ? SkipReasons.Paused : null, cancellationToken: cancellationToken);
                // Only the dispatch that created the delivery queues it: concurrent or repeated dispatches of the same
                // events must not each queue it again (issue 14 item 9). One that stopped between creating and queueing
                // is caught by the recovery sweep (DeliveryWorker.RecoverAsync).
                if (created && delivery.Status == DeliveryStatus.Pending)
                {
                    await queue.SendAttemptAsync(orgId, delivery.Row, 1, cancellationToken: cancellationToken);
                }

                if (created)
                {
                    LogDispatched(logger, e.Type, delivery.DeliveryId, hook.HookId, paused);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventType}: delivery {DeliveryId} to hook {HookId} (skipped, hook paused: {Paused})")]
    private static partial void LogDispatched(ILogger logger, string eventType, string deliveryId, string hookId, bool paused);
}
