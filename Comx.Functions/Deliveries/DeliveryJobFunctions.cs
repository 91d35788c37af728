using Azure.Storage.Queues.Models;
using Comx.Core.Jobs;
using Comx.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Deliveries;

public sealed class DeliveryJobFunctions(ComxJobs jobs)
{
    [Function(JobNames.WebhookDeliveries)]
    public Task WebhookDeliveries([QueueTrigger(StorageNames.Queues.WebhookDeliveries)] QueueMessage message, CancellationToken cancellationToken) =>
        jobs.RunQueueJobAsync(JobNames.WebhookDeliveries, message, cancellationToken);

    [Function(JobNames.SweepOutbox)]
    public Task SweepOutbox([TimerTrigger(JobNames.SweepOutboxSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        jobs.RunTimerAsync(JobNames.SweepOutbox, cancellationToken);
}
