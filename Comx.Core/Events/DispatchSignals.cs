using System.Collections.Concurrent;
using Comx.Core.Http;
using Comx.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Comx.Core.Events;

/// <summary>
/// Tells the dispatcher that an organisation has new outbox events: a dispatch message on the deliveries queue, sent
/// after the commit from the thread pool, so the request that committed does not wait for it. Commits of one
/// organisation that land while its message is being sent share the next one (per organisation and instance at most one
/// message in flight and one due), so a classroom's burst costs a few queue messages, not one per chat message. Every
/// commit is followed by a message that starts after it, so the dispatcher it wakes sees the commit. A message that
/// fails (or a process that stops first) loses nothing: the commit's pending marker brings the outbox sweeper.
/// </summary>
public sealed partial class DispatchSignals(QueueSender queue, ILogger<DispatchSignals> logger)
{
    private readonly ConcurrentDictionary<string, OrgSignal> _orgs = new(StringComparer.Ordinal);

    /// <summary>Asks for a dispatch message for the organisation, sent soon after this call; returns at once.</summary>
    public void Signal(string orgId)
    {
        var org = _orgs.GetOrAdd(orgId, _ => new OrgSignal());
        Volatile.Write(ref org.Due, 1);
        if (Interlocked.CompareExchange(ref org.Sending, 1, 0) == 0)
        {
            org.Sent = SendWhileDueAsync(orgId, org);
        }
    }

    /// <summary>Completes when every message asked for so far has been sent or has failed (tests; a host stopping).</summary>
    public Task IdleAsync() => Task.WhenAll(_orgs.Values.Select(o => o.Sent));

    private async Task SendWhileDueAsync(string orgId, OrgSignal org)
    {
        await Task.Yield(); // the caller goes on with its response
        do
        {
            while (Interlocked.Exchange(ref org.Due, 0) == 1)
            {
                try
                {
                    await queue.SendAsync(StorageNames.Queues.WebhookDeliveries, EventsQueueMessage.Dispatch(orgId), cancellationToken: CancellationToken.None);
                }
                catch (Exception exception) when (ProviderFailure.IsUnavailable(exception) || exception is Azure.RequestFailedException)
                {
                    LogSignalFailed(logger, exception, orgId);
                }
            }

            Volatile.Write(ref org.Sending, 0);

            // A signal asked for after the last check and before the release found Sending set: this loop sends it,
            // unless a newer caller has already started a loop of its own.
        }
        while (Volatile.Read(ref org.Due) == 1 && Interlocked.CompareExchange(ref org.Sending, 1, 0) == 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dispatch message for {OrgId} was not sent; the outbox sweeper will dispatch its events.")]
    private static partial void LogSignalFailed(ILogger logger, Exception exception, string orgId);

    private sealed class OrgSignal
    {
        public int Due;
        public int Sending;
        public Task Sent = Task.CompletedTask;
    }
}

/// <summary>
/// When the host stops, waits for the dispatch messages already asked for, as long as the host's shutdown allows, so a
/// scale-in does not leave the last commits' events to the sweeper.
/// </summary>
internal sealed class DispatchSignalsFlush(DispatchSignals signals) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await signals.IdleAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Out of time: what is left goes to the sweeper, as after a crash.
        }
    }
}
