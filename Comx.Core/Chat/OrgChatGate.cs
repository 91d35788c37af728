using System.Collections.Concurrent;

namespace Comx.Core.Chat;

/// <summary>
/// At most <see cref="PerOrg"/> chat messages of one organisation, and <see cref="PerInstance"/> of all organisations,
/// are worked on at once in this instance; the rest wait their turn here, in order. A classroom's burst then queues
/// behind its own organisation instead of in the queues of the CPU and the storage account that every other
/// organisation's messages wait in too (issue 21: one organisation's load must not slow another's), and a burst of
/// many organisations waits in one fair line instead of as hundreds of storage calls at once, where some wait seconds
/// while others pass. One small semaphore per organisation this instance has seen, kept for its life.
/// </summary>
/// <param name="maxWait">How long a message waits for its turn before it is refused as retryable (503, Retry-After).</param>
public sealed class OrgChatGate(TimeSpan maxWait) : IDisposable
{
    /// <summary>
    /// Twelve at once: on 2 cores one organisation's messages reach 0.9 of the storage floor's throughput at that many
    /// (at 6 they stayed near 0.75; docs/decisions/021), and other organisations keep places of the instance's.
    /// </summary>
    public const int PerOrg = 12;

    /// <summary>
    /// Sixteen at once in all: a message is a few milliseconds of CPU around about three storage calls in flight, so 16
    /// keep two cores and the storage queue busy; more only lengthen the queue, where some calls then wait seconds
    /// while others pass (docs/decisions/021).
    /// </summary>
    public const int PerInstance = 16;

    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _instance = new(PerInstance, PerInstance);

    public OrgChatGate() : this(DefaultMaxWait)
    {
    }

    /// <summary>A turn for one message of the organisation (dispose it when done); null when none came within the wait.</summary>
    public async Task<IDisposable?> EnterAsync(string orgId, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        var gate = _gates.GetOrAdd(orgId, _ => new SemaphoreSlim(PerOrg, PerOrg));
        if (!await gate.WaitAsync(maxWait, cancellationToken))
        {
            return null;
        }

        // The organisation's turn first, so its own queue does not hold places in the instance's.
        var left = maxWait - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
        try
        {
            if (await _instance.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken))
            {
                return new Turn(gate, _instance);
            }
        }
        catch (OperationCanceledException)
        {
            gate.Release();
            throw;
        }

        gate.Release();
        return null;
    }

    /// <summary>How many messages of the organisation are being worked on now (for tests and diagnostics).</summary>
    public int InFlight(string orgId) => _gates.TryGetValue(orgId, out var gate) ? PerOrg - gate.CurrentCount : 0;

    /// <summary>How many messages of all organisations are being worked on now (for tests and diagnostics).</summary>
    public int InFlightInAll => PerInstance - _instance.CurrentCount;

    public void Dispose()
    {
        _instance.Dispose();
        foreach (var gate in _gates.Values)
        {
            gate.Dispose();
        }
    }

    private sealed class Turn(SemaphoreSlim org, SemaphoreSlim instance) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                instance.Release();
                org.Release();
            }
        }
    }
}
