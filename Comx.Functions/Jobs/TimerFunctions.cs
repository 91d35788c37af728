using Comx.Core.Jobs;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Jobs;

public sealed class TimerFunctions(ComxJobs jobs)
{
    [Function(JobNames.CleanupStorage)]
    public Task CleanupStorage([TimerTrigger(JobNames.CleanupStorageSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        jobs.RunTimerAsync(JobNames.CleanupStorage, cancellationToken);

    [Function(JobNames.RecoverIngestJobs)]
    public Task RecoverIngestJobs([TimerTrigger(JobNames.RecoverIngestJobsSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        jobs.RunTimerAsync(JobNames.RecoverIngestJobs, cancellationToken);

    [Function(JobNames.RefreshSources)]
    public Task RefreshSources([TimerTrigger(JobNames.RefreshSourcesSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        jobs.RunTimerAsync(JobNames.RefreshSources, cancellationToken);

    [Function(JobNames.ApplyRetention)]
    public Task ApplyRetention([TimerTrigger(JobNames.ApplyRetentionSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        jobs.RunTimerAsync(JobNames.ApplyRetention, cancellationToken);
}
