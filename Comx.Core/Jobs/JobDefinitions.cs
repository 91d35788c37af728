using Azure.Storage.Queues.Models;

namespace Comx.Core.Jobs;

/// <summary>Handles one queue message. Throwing means "failed": the host retries it, then moves it to the poison queue.</summary>
public delegate Task QueueJobHandler(IServiceProvider services, QueueMessage message, CancellationToken cancellationToken);

/// <summary>One queue-triggered job: the function name, the queue it drains and its handler.</summary>
public sealed record QueueJobDefinition(string Name, string QueueName, QueueJobHandler Handler);

/// <summary>
/// One timer: the function name, its NCRONTAB schedule (what the Functions timer trigger reads) and the period the
/// DevHost runs it at (the same cadence, without a cron parser).
/// </summary>
public sealed record TimerDefinition(string Name, string Schedule, TimeSpan Period, Func<IServiceProvider, CancellationToken, Task> Run);

/// <summary>Names and schedules of queue jobs and timers; Comx.Functions uses them as attribute arguments.</summary>
public static class JobNames
{
    public const string CleanupStorage = "CleanupStorage";
    public const string CleanupStorageSchedule = "0 7,22,37,52 * * * *";

    public const string WebhookDeliveries = "WebhookDeliveries";
    public const string SweepOutbox = "SweepOutbox";
    public const string SweepOutboxSchedule = "0 * * * * *";
    public const string RunIngestJob = "RunIngestJob";
    public const string RecoverIngestJobs = "RecoverIngestJobs";
    public const string RecoverIngestJobsSchedule = "15,45 * * * * *";
    public const string RefreshSources = "RefreshSources";
    public const string RefreshSourcesSchedule = "0 2,17,32,47 * * * *";
}
