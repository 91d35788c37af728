using System.Diagnostics.Metrics;
using Comx.Core.Events;
using Comx.Core.Storage;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comx.Tests.Deliveries;

/// <summary>
/// Dispatch messages are sent after the commit without the request waiting, and a burst of one organisation's commits
/// shares them (issue 21): counted through the queue sender's own meter on a real Azurite queue.
/// </summary>
public sealed class DispatchSignalsTests
{
    [Fact]
    public async Task BurstOfSignals_ForOneOrganisation_SharesAFewMessages()
    {
        using var sender = new CountingSender();
        var signals = new DispatchSignals(sender.Queue, NullLogger<DispatchSignals>.Instance);
        var orgId = "org_signals_" + Guid.NewGuid().ToString("N")[..12];

        for (var i = 0; i < 200; i++)
        {
            signals.Signal(orgId);
        }

        await signals.IdleAsync();
        // 200 commits, one message in flight at a time and at most one due behind it: a handful of messages, at least one.
        Assert.InRange(sender.Sent, 1, 5);
    }

    [Fact]
    public async Task SignalAfterTheLastMessageWasSent_SendsAnother_AndOrganisationsDoNotShare()
    {
        using var sender = new CountingSender();
        var signals = new DispatchSignals(sender.Queue, NullLogger<DispatchSignals>.Instance);
        var (first, second) = ("org_signals_" + Guid.NewGuid().ToString("N")[..12], "org_signals_" + Guid.NewGuid().ToString("N")[..12]);

        signals.Signal(first);
        await signals.IdleAsync();
        Assert.Equal(1, sender.Sent);

        signals.Signal(first);
        signals.Signal(second);
        await signals.IdleAsync();
        Assert.Equal(3, sender.Sent);
    }

    [Fact]
    public async Task HostStopping_WaitsForTheMessagesAlreadyAskedFor()
    {
        using var sender = new CountingSender();
        var signals = new DispatchSignals(sender.Queue, NullLogger<DispatchSignals>.Instance);
        signals.Signal("org_signals_" + Guid.NewGuid().ToString("N")[..12]);

        await new DispatchSignalsFlush(signals).StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, sender.Sent);
    }

    /// <summary>A queue sender on the shared Azurite with a meter of its own, so other tests' messages are not counted.</summary>
    private sealed class CountingSender : IDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly MeterListener _listener = new();
        private long _sent;

        public CountingSender()
        {
            var meters = _services.GetRequiredService<IMeterFactory>();
            var storage = TestSettings.Storage();
            storage.Queue(StorageNames.Queues.WebhookDeliveries).CreateIfNotExists();
            Queue = new QueueSender(storage, meters);
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "comx.queue.messages_sent")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _sent, value));
            _listener.Start();
        }

        public QueueSender Queue { get; }

        public long Sent => Interlocked.Read(ref _sent);

        public void Dispose()
        {
            _listener.Dispose();
            _services.Dispose();
        }
    }
}
