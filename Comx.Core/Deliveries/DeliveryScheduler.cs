using Comx.Core.Storage;

namespace Comx.Core.Deliveries;

/// <summary>Puts delivery attempts on the <c>webhook-deliveries</c> queue (a delay makes the message invisible until then).</summary>
public sealed class DeliveryScheduler(QueueSender queue)
{
    public Task SendAttemptAsync(string orgId, string row, int attempt, TimeSpan? delay = null, CancellationToken cancellationToken = default) =>
        queue.SendAsync(StorageNames.Queues.WebhookDeliveries, DeliveryQueueMessage.DeliverAttempt(orgId, row, attempt), delay is { } d && d > TimeSpan.Zero ? d : null,
            cancellationToken);
}
