namespace Comx.Tests.Infrastructure;

/// <summary>
/// Tests that run a timer sweeping every organisation's rows (ingest-job recovery, due refreshes) with a fake clock
/// hours ahead. On the shared emulator such a sweep sees other tests' running jobs as abandoned and re-queues them (a
/// job of another test, mid-ingest, read back "queued"), so these run with no other test in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalSweeps
{
    public const string Name = "Global sweeps";
}
