using System.Collections.Concurrent;

namespace Comx.Core.Chat;

/// <summary>
/// At most <see cref="PerOrg"/> chat messages of one organisation are worked on at once in this instance; the rest wait
/// their turn here. A classroom's burst then queues behind its own organisation instead of in the queues of the CPU and
/// the storage account that every other organisation's messages wait in too (issue 21: one organisation's load must
/// not slow another's). One small semaphore per organisation this instance has seen, kept for its life.
/// </summary>
/// <param name="maxWait">How long a message waits for its turn before it is refused as retryable (503, Retry-After).</param>
public sealed class OrgChatGate(TimeSpan maxWait)
{
    /// <summary>Six at once: on 2 cores one organisation's messages reach the storage floor's throughput at about that many.</summary>
    public const int PerOrg = 6;

    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    public OrgChatGate() : this(DefaultMaxWait)
    {
    }

    /// <summary>A turn for one message of the organisation (dispose it when done); null when none came within the wait.</summary>
    public async Task<IDisposable?> EnterAsync(string orgId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(orgId, _ => new SemaphoreSlim(PerOrg, PerOrg));
        return await gate.WaitAsync(maxWait, cancellationToken) ? new Turn(gate) : null;
    }

    /// <summary>How many messages of the organisation are being worked on now (for tests and diagnostics).</summary>
    public int InFlight(string orgId) => _gates.TryGetValue(orgId, out var gate) ? PerOrg - gate.CurrentCount : 0;

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
