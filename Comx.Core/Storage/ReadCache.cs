using System.Collections.Concurrent;

namespace Comx.Core.Storage;

/// <summary>
/// A small per-instance cache for per-organisation reads that rarely change and are needed on every chat message
/// (organisation, widget settings, safeguarding policy, the retrieval index). An entry is served for at most
/// <see cref="Staleness"/>; the store that writes a value invalidates it on this instance after the write, so an
/// instance always sees its own writes at once and other instances see them within the staleness
/// (docs/decisions/021-classroom-load.md). Concurrent misses of one key share a single storage read.
/// </summary>
public sealed class ReadCache(TimeProvider time)
{
    /// <summary>How old a cached read may be when another instance wrote the value.</summary>
    public static readonly TimeSpan Staleness = TimeSpan.FromSeconds(15);

    private const int SweepAbove = 20_000;
    private readonly ConcurrentDictionary<(string Kind, string Key), Entry> _entries = new();

    /// <summary>The cached value of <paramref name="kind"/>/<paramref name="key"/>, loaded with <paramref name="load"/> when absent or expired.</summary>
    public async Task<T> GetOrLoadAsync<T>(string kind, string key, Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(load);
        var id = (kind, key);
        var now = time.GetUtcNow();
        while (true)
        {
            if (!_entries.TryGetValue(id, out var entry) || entry.ExpiresAt <= now)
            {
                var fresh = new Entry(now + Staleness, async () => (object?)await load(CancellationToken.None));
                entry = entry is null ? _entries.GetOrAdd(id, fresh) : (_entries.TryUpdate(id, fresh, entry) ? fresh : null);
                if (entry is null)
                {
                    continue;
                }

                SweepIfLarge(now);
            }

            try
            {
                // The entry is in the dictionary before its load starts, so an invalidation that follows a write always removes it.
                return (T)(await entry.Value.Value.WaitAsync(cancellationToken))!;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A failed read is not kept: the next caller tries again.
                _entries.TryRemove(KeyValuePair.Create(id, entry));
                throw;
            }
        }
    }

    /// <summary>Drops a cached value; called by the store that wrote it, after the write.</summary>
    public void Invalidate(string kind, string key) => _entries.TryRemove((kind, key), out _);

    private void SweepIfLarge(DateTimeOffset now)
    {
        if (_entries.Count <= SweepAbove)
        {
            return;
        }

        foreach (var (id, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(KeyValuePair.Create(id, entry));
            }
        }
    }

    private sealed class Entry(DateTimeOffset expiresAt, Func<Task<object?>> load)
    {
        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public Lazy<Task<object?>> Value { get; } = new(load);
    }
}
