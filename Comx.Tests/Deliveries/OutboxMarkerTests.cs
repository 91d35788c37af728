using Comx.Core.Events;
using Comx.Core.Storage;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Deliveries;

/// <summary>
/// The outbox's pending marker is written once per <c>EventStore.MarkReuse</c> (15 s) per organisation and instance
/// (issue 21), and events committed while it is relied on are still found by the sweep. The store's queue refuses every
/// dispatch message, as if the process stopped after each commit, so only the sweep can find the events (and no other test's
/// queue worker takes them).
/// </summary>
public sealed class OutboxMarkerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MarkerWrittenOncePer15Seconds_EventsCommittedMeanwhile_AreStillSwept()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var broken = TestSettings.StorageWhoseQueuesRefuse();
        var signals = new DispatchSignals(new QueueSender(broken), NullLogger<DispatchSignals>.Instance);
        var events = new EventStore(broken, signals, time);
        var seen = new Recorder();
        var dispatcher = new EventDispatcher(events, [seen], time, NullLogger<EventDispatcher>.Instance);
        var orgId = "org_marker_" + Guid.NewGuid().ToString("N")[..12];
        var markedAt = time.GetUtcNow();

        var first = await RaiseAsync(events, signals, orgId, time);
        time.Advance(TimeSpan.FromSeconds(10));
        var second = await RaiseAsync(events, signals, orgId, time);
        // The second write relied on the first one's marker instead of writing it again.
        Assert.Equal(markedAt, (await events.GetPendingAsync(orgId, Token))!.Value.MarkedAt);
        Assert.Contains(orgId, await events.ListPendingOrgsAsync(Token));

        // The sweep, once the marker may be cleared: both events are dispatched, then the marker goes.
        time.Advance(TimeSpan.FromSeconds(25));
        await dispatcher.DispatchAsync(orgId, Token);
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), seen.EventIds.Order(StringComparer.Ordinal));
        Assert.Null(await events.GetPendingAsync(orgId, Token));

        // Past the reuse window a write marks again.
        time.Advance(TimeSpan.FromSeconds(1));
        await RaiseAsync(events, signals, orgId, time);
        Assert.Equal(time.GetUtcNow(), (await events.GetPendingAsync(orgId, Token))!.Value.MarkedAt);
    }

    private static async Task<string> RaiseAsync(EventStore events, DispatchSignals signals, string orgId, TimeProvider time)
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await events.AddAsync(orgId,
            [EventRecord.Create(eventId, time.GetUtcNow(), new HandoffRequestedData("hof_x", "thr_x", "ses_x", null, null, HandoffRequesters.Visitor, null))], Token);
        await signals.IdleAsync(); // the dispatch message failed (logged), after the commit
        return eventId;
    }

    private sealed class Recorder : IEventConsumer
    {
        private readonly List<string> _ids = [];

        public IReadOnlyList<string> EventIds
        {
            get
            {
                lock (_ids)
                {
                    return [.. _ids];
                }
            }
        }

        public Task ConsumeAsync(string orgId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
        {
            lock (_ids)
            {
                _ids.AddRange(events.Select(e => e.EventId));
            }

            return Task.CompletedTask;
        }
    }
}
