using Microsoft.Extensions.Hosting;

namespace Comx.Core.Storage;

/// <summary>Creates tables, queues and containers when the host starts (both the Functions worker and the DevHost).</summary>
internal sealed class StorageStartup(ComxStorage storage) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => storage.EnsureCreatedAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
