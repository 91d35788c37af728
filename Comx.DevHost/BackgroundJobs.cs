using Comx.Core.Jobs;
using Comx.Core.Storage;

namespace Comx.DevHost;

/// <summary>Starts Azurite before anything touches storage, when the configuration asks for the local emulator.</summary>
internal sealed class AzuriteLauncher(IConfiguration configuration, IHostEnvironment environment) : IHostedService, IAsyncDisposable
{
    private AzuriteProcess? _azurite;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (AzuriteProcess.IsLocalEmulator(configuration[ComxStorage.ConnectionSetting]))
        {
            var root = AzuriteProcess.RepositoryRoot() ?? environment.ContentRootPath;
            _azurite = await AzuriteProcess.EnsureRunningAsync(Path.Combine(root, ".azurite"), Console.Out, cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
            _azurite = null;
        }
    }
}

/// <summary>One <see cref="QueueWorker"/> per queue job of Core, as the Functions host runs one queue trigger per function.</summary>
internal sealed class QueueWorkers(ComxStorage storage, ComxJobs jobs, IHostEnvironment environment, ILoggerFactory loggers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = HostJsonQueueSettings.Load(Path.Combine(environment.ContentRootPath, "host.json"));
        var workers = ComxJobs.Queues.Select(job => new QueueWorker(
            storage.Queue(job.QueueName),
            storage.Queue(StorageNames.Queues.Poison(job.QueueName)),
            (message, ct) => jobs.RunQueueJobAsync(job.Name, message, ct),
            settings,
            loggers.CreateLogger("Comx.DevHost.QueueWorker." + job.Name)));
        return Task.WhenAll(workers.Select(w => w.RunAsync(stoppingToken)));
    }
}

/// <summary>Runs Core's timers at their period (the Functions timer trigger runs them on their NCRONTAB schedule).</summary>
internal sealed partial class TimerJobs(ComxJobs jobs, ILogger<TimerJobs> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ComxJobs.Timers.Select(timer => RunEveryAsync(timer, stoppingToken)));

    private async Task RunEveryAsync(TimerDefinition timer, CancellationToken stoppingToken)
    {
        using var ticks = new PeriodicTimer(timer.Period);
        try
        {
            while (await ticks.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await jobs.RunTimerAsync(timer.Name, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogTimerFailed(logger, exception, timer.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer {Timer} failed")]
    private static partial void LogTimerFailed(ILogger logger, Exception exception, string timer);
}
