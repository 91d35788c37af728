using Azure.Storage.Queues.Models;
using Comx.Core.Jobs;
using Comx.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Jobs;

public sealed class QueueFunctions(ComxJobs jobs)
{
    [Function(JobNames.RunIngestJob)]
    public Task RunIngestJob([QueueTrigger(StorageNames.Queues.IngestJobs)] QueueMessage message, CancellationToken cancellationToken) =>
        jobs.RunQueueJobAsync(JobNames.RunIngestJob, message, cancellationToken);

    [Function(JobNames.RunLearnerErasure)]
    public Task RunLearnerErasure([QueueTrigger(StorageNames.Queues.LearnerErasures)] QueueMessage message, CancellationToken cancellationToken) =>
        jobs.RunQueueJobAsync(JobNames.RunLearnerErasure, message, cancellationToken);
}
