using Azure.Storage.Queues.Models;
using Comx.Core.Http;
using Comx.Core.Knowledge;
using Comx.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Core.Jobs;

/// <summary>
/// Every queue job and timer of the app, and the entry points both hosts call: the Functions triggers by name, the
/// DevHost's workers from the lists.
/// </summary>
public sealed class ComxJobs(IServiceProvider services)
{
    public static IReadOnlyList<QueueJobDefinition> Queues { get; } =
    [
        new(JobNames.WebhookDeliveries, StorageNames.Queues.WebhookDeliveries, static (sp, message, ct) =>
            sp.GetRequiredService<Deliveries.DeliveryWorker>().HandleAsync(message, ct)),

        new(JobNames.RunIngestJob, StorageNames.Queues.IngestJobs, static (sp, message, ct) =>
            sp.GetRequiredService<IngestService>().RunAsync(QueueMessages.Read<IngestJobMessage>(message.Body, IngestJobMessage.CurrentVersion), ct)),

        new(JobNames.RunLearnerErasure, StorageNames.Queues.LearnerErasures, static (sp, message, ct) =>
            sp.GetRequiredService<DataProtection.LearnerDataService>().RunAsync(
                QueueMessages.Read<DataProtection.ErasureMessage>(message.Body, DataProtection.ErasureMessage.CurrentVersion), ct)),
    ];

    public static IReadOnlyList<TimerDefinition> Timers { get; } =
    [
        new(JobNames.CleanupStorage, JobNames.CleanupStorageSchedule, TimeSpan.FromMinutes(15), static async (sp, ct) =>
        {
            await sp.GetRequiredService<IdempotencyStore>().DeleteExpiredAsync(ct);
            await sp.GetRequiredService<RateLimiter>().DeleteExpiredAsync(ct);
        }),

        new(JobNames.SweepOutbox, JobNames.SweepOutboxSchedule, TimeSpan.FromMinutes(1), static async (sp, ct) =>
        {
            await sp.GetRequiredService<Events.EventDispatcher>().SweepAsync(ct);
            await sp.GetRequiredService<Deliveries.DeliveryWorker>().RecoverAsync(ct);
        }),

        new(JobNames.RecoverIngestJobs, JobNames.RecoverIngestJobsSchedule, TimeSpan.FromSeconds(30),
            static (sp, ct) => sp.GetRequiredService<IngestService>().RecoverStuckJobsAsync(ct)),
        new(JobNames.RefreshSources, JobNames.RefreshSourcesSchedule, TimeSpan.FromMinutes(15),
            static (sp, ct) => sp.GetRequiredService<IngestService>().RefreshDueSourcesAsync(ct)),
        new(JobNames.ApplyRetention, JobNames.ApplyRetentionSchedule, TimeSpan.FromDays(1),
            static (sp, ct) => sp.GetRequiredService<DataProtection.RetentionService>().RunAsync(ct)),
    ];

    public Task RunQueueJobAsync(string name, QueueMessage message, CancellationToken cancellationToken) =>
        Queues.Single(q => q.Name == name).Handler(services, message, cancellationToken);

    public Task RunTimerAsync(string name, CancellationToken cancellationToken) =>
        Timers.Single(t => t.Name == name).Run(services, cancellationToken);
}
