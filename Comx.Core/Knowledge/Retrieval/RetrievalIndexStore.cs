using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Comx.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comx.Core.Knowledge.Retrieval;

/// <summary>The outcome of a publish: the version written, and whether it is now the org's current index.</summary>
/// <param name="Version">The version assigned to the index (<c>{content-as-of UTC ticks}-{random}</c>).</param>
/// <param name="IsCurrent">False when an index built from newer content was already current; nothing was kept.</param>
public sealed record IndexPublication(string Version, bool IsCurrent);

/// <summary>
/// Publishes and serves organisations' retrieval indexes. An index is one blob, <c>{orgId}/{version}.bm25</c> in
/// <see cref="StorageNames.Containers.RetrievalIndex"/>; the org's current version is a stamp entity in
/// <see cref="StorageNames.Tables.RetrievalIndex"/>. Every instance reads the stamp on each
/// <see cref="GetAsync"/> (one small table read) and keeps the index of the version it names in memory, loading each
/// version's blob once per instance (concurrent callers share the load), so new content is served everywhere as
/// soon as the stamp moves. Register as a singleton.
/// </summary>
/// <remarks>
/// The stamp moves only forward in content time: a version is ordered by when the ingest job began reading the
/// chunks it indexed (<c>contentAsOf</c>), and the stamp is replaced with an ETag-conditional write, so a slow job
/// that read older chunks can never replace an index built from newer ones. After the stamp moves, blobs of older
/// versions are deleted except the one it replaced, which readers may still be downloading.
/// </remarks>
public sealed partial class RetrievalIndexStore
{
    private const string StampRow = "current";
    private const string BlobSuffix = ".bm25";
    private const byte BlobFormat = 1;
    private static ReadOnlySpan<byte> BlobMagic => "CXIX"u8;
    private const int MaxStampAttempts = 20;
    private const int MaxLoadAttempts = 3;
    private static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(5);

    private readonly ComxStorage _storage;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, LoadedIndex> _loaded = new(StringComparer.Ordinal);
    private long _lastSweepTicks;
    private int _loads;

    public RetrievalIndexStore(ComxStorage storage, TimeProvider time, ILogger<RetrievalIndexStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(time);
        _storage = storage;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _lastSweepTicks = time.GetUtcNow().UtcTicks;
    }

    /// <summary>How many index blobs this instance has downloaded and deserialised (for tests).</summary>
    internal int LoadCount => Volatile.Read(ref _loads);

    /// <summary>Publishes an index built from content read now (the store's clock).</summary>
    public Task<IndexPublication> PublishAsync(string orgId, Bm25Index index, CancellationToken cancellationToken = default) =>
        PublishAsync(orgId, index, _time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Writes the index blob, then moves the org's stamp to it unless an index of newer content is already current.
    /// </summary>
    /// <param name="orgId">The organisation.</param>
    /// <param name="index">The index to publish.</param>
    /// <param name="contentAsOf">When the job started reading the chunks it indexed (take it from the same
    /// <see cref="TimeProvider"/> before the first read): of two jobs, the one that started reading later saw
    /// everything the other saw, so its index wins whichever finishes first. Equal times: the later publish wins.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    public async Task<IndexPublication> PublishAsync(string orgId, Bm25Index index, DateTimeOffset contentAsOf,
        CancellationToken cancellationToken = default)
    {
        CheckOrgId(orgId);
        ArgumentNullException.ThrowIfNull(index);
        var asOfTicks = contentAsOf.UtcTicks;
        var version = asOfTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(8, lowercase: true);
        var table = _storage.Table(StorageNames.Tables.RetrievalIndex);

        var before = await table.GetEntityIfExistsAsync<StampEntity>(orgId, StampRow, cancellationToken: cancellationToken);
        if (before.HasValue && before.Value!.ContentAsOfTicks > asOfTicks)
        {
            LogSuperseded(_logger, orgId, version, before.Value.Version);
            return new IndexPublication(version, false);
        }

        var blob = _storage.Container(StorageNames.Containers.RetrievalIndex).GetBlobClient(BlobName(orgId, version));
        using (var buffer = new MemoryStream())
        {
            WriteBlob(buffer, index);
            buffer.Position = 0;
            await blob.UploadAsync(buffer, overwrite: true, cancellationToken);
        }

        for (var attempt = 0; attempt < MaxStampAttempts; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<StampEntity>(orgId, StampRow, cancellationToken: cancellationToken);
            var stamp = new StampEntity
            {
                PartitionKey = orgId,
                RowKey = StampRow,
                Version = version,
                ContentAsOfTicks = asOfTicks,
                Sequence = 1,
                PublishedAt = _time.GetUtcNow(),
                ChunkCount = index.Count,
            };
            try
            {
                if (!current.HasValue)
                {
                    await table.AddEntityAsync(stamp, cancellationToken);
                }
                else
                {
                    var existing = current.Value!;
                    if (existing.ContentAsOfTicks > asOfTicks)
                    {
                        LogSuperseded(_logger, orgId, version, existing.Version);
                        await DeleteBlobAsync(orgId, version, cancellationToken);
                        return new IndexPublication(version, false);
                    }

                    stamp.Sequence = existing.Sequence + 1;
                    stamp.PreviousVersion = existing.Version;
                    await table.UpdateEntityAsync(stamp, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                }
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                await Task.Delay(Random.Shared.Next(5, 20 + (10 * attempt)), cancellationToken);
                continue;
            }

            LogPublished(_logger, orgId, version, index.Count);
            await DeleteOlderBlobsAsync(orgId, asOfTicks, stamp.PreviousVersion, cancellationToken);
            return new IndexPublication(version, true);
        }

        // Twenty lost races in a row: something else is wrong. The blob stays for the next publish's clean-up.
        throw new InvalidOperationException($"The retrieval index stamp for org {orgId} stayed contended; version {version} was not made current.");
    }

    /// <summary>
    /// The org's current index: one stamp read, then the in-memory index of that version (loaded now if this
    /// instance has not loaded it yet). An org that has never published gets <see cref="Bm25Index.Empty"/>.
    /// </summary>
    public async Task<Bm25Index> GetAsync(string orgId, CancellationToken cancellationToken = default)
    {
        CheckOrgId(orgId);
        SweepIdle();
        for (var attempt = 1; ; attempt++)
        {
            var stamp = await ReadStampAsync(orgId, cancellationToken);
            if (stamp is null)
            {
                return Bm25Index.Empty;
            }

            var loaded = Current(orgId, stamp.Value.Version, stamp.Value.Sequence);
            loaded.Touch(_time);
            try
            {
                return await loaded.Index.Value.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A failed load is not kept: the next caller tries again.
                _loaded.TryRemove(KeyValuePair.Create(orgId, loaded));
                if (e is RequestFailedException { Status: 404 } && attempt < MaxLoadAttempts)
                {
                    // The stamp moved twice while this version was being fetched and its blob was cleaned up.
                    continue;
                }

                throw;
            }
        }
    }

    /// <summary>
    /// False when the organisation's index this instance holds carries no vectors (its questions need no embedding);
    /// true when it does, or when none is held yet.
    /// </summary>
    public bool MayHaveVectors(string orgId) =>
        !_loaded.TryGetValue(orgId, out var loaded) || !loaded.Index.IsValueCreated || loaded.Index.Value is not { IsCompletedSuccessfully: true } index
        || index.Result.HasVectors;

    private LoadedIndex Current(string orgId, string version, long sequence)
    {
        while (true)
        {
            if (_loaded.TryGetValue(orgId, out var cached))
            {
                // Same version, or a newer one another caller already found: never go back to an older stamp.
                if (cached.Version == version || cached.Sequence > sequence)
                {
                    return cached;
                }

                var fresh = new LoadedIndex(version, sequence, this, orgId);
                if (_loaded.TryUpdate(orgId, fresh, cached))
                {
                    return fresh;
                }
            }
            else
            {
                var fresh = new LoadedIndex(version, sequence, this, orgId);
                if (_loaded.TryAdd(orgId, fresh))
                {
                    return fresh;
                }
            }
        }
    }

    private async Task<Bm25Index> LoadAsync(string orgId, string version)
    {
        var started = _time.GetTimestamp();
        var blob = _storage.Container(StorageNames.Containers.RetrievalIndex).GetBlobClient(BlobName(orgId, version));
        // Shared by every caller waiting for this version, so not cancelled by any one of them.
        var content = await blob.DownloadContentAsync(CancellationToken.None);
        var bytes = content.Value.Content.ToMemory();
        var index = ReadBlob(bytes);
        Interlocked.Increment(ref _loads);
        var milliseconds = _time.GetElapsedTime(started).TotalMilliseconds;
        LogLoaded(_logger, orgId, version, index.Count, bytes.Length, milliseconds);
        return index;
    }

    private async Task<(string Version, long Sequence)?> ReadStampAsync(string orgId, CancellationToken cancellationToken)
    {
        var stamp = await _storage.Table(StorageNames.Tables.RetrievalIndex).GetEntityIfExistsAsync<StampEntity>(
            orgId, StampRow, [nameof(StampEntity.Version), nameof(StampEntity.Sequence)], cancellationToken);
        return stamp.HasValue && stamp.Value!.Version is { Length: > 0 } version ? (version, stamp.Value.Sequence) : null;
    }

    /// <summary>Deletes blobs of versions older than the one just made current, except the one it replaced.</summary>
    private async Task DeleteOlderBlobsAsync(string orgId, long currentAsOfTicks, string? keep, CancellationToken cancellationToken)
    {
        try
        {
            var container = _storage.Container(StorageNames.Containers.RetrievalIndex);
            await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, orgId + "/", cancellationToken))
            {
                var version = item.Name[(orgId.Length + 1)..];
                if (!version.EndsWith(BlobSuffix, StringComparison.Ordinal))
                {
                    continue;
                }

                version = version[..^BlobSuffix.Length];
                // Equal content times may still become current (the later publish wins), so only strictly older go.
                if (version != keep && long.TryParse(version.AsSpan(0, Math.Min(19, version.Length)), NumberStyles.None,
                        CultureInfo.InvariantCulture, out var ticks) && ticks < currentAsOfTicks)
                {
                    await container.DeleteBlobIfExistsAsync(item.Name, cancellationToken: cancellationToken);
                }
            }
        }
        catch (RequestFailedException e)
        {
            // Clean-up only: the new index is current; the next publish tries again.
            LogCleanupFailed(_logger, e, orgId);
        }
    }

    private async Task DeleteBlobAsync(string orgId, string version, CancellationToken cancellationToken)
    {
        try
        {
            await _storage.Container(StorageNames.Containers.RetrievalIndex)
                .DeleteBlobIfExistsAsync(BlobName(orgId, version), cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e)
        {
            LogCleanupFailed(_logger, e, orgId);
        }
    }

    /// <summary>Drops indexes nobody has asked for in a while, so an instance serving many orgs does not keep them all.</summary>
    private void SweepIdle()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var last = Volatile.Read(ref _lastSweepTicks);
        if (now - last < SweepEvery.Ticks || Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last)
        {
            return;
        }

        foreach (var entry in _loaded)
        {
            if (now - entry.Value.LastUsedTicks > IdleAfter.Ticks)
            {
                _loaded.TryRemove(entry);
            }
        }
    }

    private static string BlobName(string orgId, string version) => $"{orgId}/{version}{BlobSuffix}";

    /// <summary>
    /// Writes an index blob: magic <c>CXIX</c>, format byte 1, the index in its own format (<see cref="Bm25Index.WriteTo"/>)
    /// as a 7-bit length and that many bytes, the chunk count, each chunk's answer-unit vectors
    /// (<see cref="IndexedChunk.Sentences"/>, in the layout <see cref="SentenceVectors"/> reads), magic again.
    /// </summary>
    internal static void WriteBlob(Stream stream, Bm25Index index)
    {
        using var inner = new MemoryStream();
        index.WriteTo(inner);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(BlobMagic);
        writer.Write(BlobFormat);
        writer.Write7BitEncodedInt(checked((int)inner.Length));
        writer.Write(inner.GetBuffer().AsSpan(0, (int)inner.Length));
        writer.Write7BitEncodedInt(index.Count);
        foreach (var chunk in index.Chunks)
        {
            SentenceVectors.Write(writer, chunk.Sentences);
        }

        writer.Write(BlobMagic);
    }

    /// <summary>
    /// Reads an index blob. A blob that is a bare index (<c>CXBM</c>: published before unit vectors) still loads and
    /// answers; its answers embed their units until the next ingest stores them.
    /// </summary>
    /// <exception cref="InvalidDataException">The blob is not an index of a format this code reads.</exception>
    internal static Bm25Index ReadBlob(ReadOnlyMemory<byte> bytes)
    {
        if (!bytes.Span.StartsWith(BlobMagic))
        {
            return Bm25Index.ReadFrom(bytes.Span);
        }

        var array = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment) ? segment : new ArraySegment<byte>(bytes.ToArray());
        using var stream = new MemoryStream(array.Array!, array.Offset, array.Count, writable: false);
        using var reader = new BinaryReader(stream);
        try
        {
            stream.Position = BlobMagic.Length;
            if (reader.ReadByte() != BlobFormat)
            {
                throw new InvalidDataException($"Retrieval index blob format {bytes.Span[BlobMagic.Length]} is not supported (expected {BlobFormat}).");
            }

            var length = reader.Read7BitEncodedInt();
            if (length < 0 || length > stream.Length - stream.Position)
            {
                throw new InvalidDataException("Retrieval index blob is truncated.");
            }

            var index = Bm25Index.ReadFrom(bytes.Span.Slice((int)stream.Position, length));
            stream.Position += length;
            if (reader.Read7BitEncodedInt() != index.Count)
            {
                throw new InvalidDataException("Retrieval index sentence vectors do not match its chunks.");
            }

            var sentences = new SentenceVectors?[index.Count];
            for (var d = 0; d < sentences.Length; d++)
            {
                sentences[d] = SentenceVectors.Read(reader);
            }

            if (!reader.ReadBytes(BlobMagic.Length).AsSpan().SequenceEqual(BlobMagic))
            {
                throw new InvalidDataException("Retrieval index blob is truncated or corrupt.");
            }

            return index.WithSentences(sentences);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            throw new InvalidDataException("Retrieval index blob is truncated or corrupt.", e);
        }
    }

    private static void CheckOrgId(string orgId)
    {
        ArgumentNullException.ThrowIfNull(orgId);
        if (!StorageKeys.IsSafeKey(orgId) || orgId.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("Org ids are letters, digits, '_', '-' and '.'.", nameof(orgId));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published retrieval index {Version} for org {OrgId} ({Chunks} chunks).")]
    private static partial void LogPublished(ILogger logger, string orgId, string version, int chunks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrieval index {Version} for org {OrgId} not published: {Current} indexes newer content.")]
    private static partial void LogSuperseded(ILogger logger, string orgId, string version, string current);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded retrieval index {Version} for org {OrgId}: {Chunks} chunks, {Bytes} bytes in {Milliseconds:F1} ms.")]
    private static partial void LogLoaded(ILogger logger, string orgId, string version, int chunks, int bytes, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete old retrieval index blobs for org {OrgId}.")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string orgId);

    private sealed class LoadedIndex(string version, long sequence, RetrievalIndexStore store, string orgId)
    {
        private long _lastUsedTicks;

        public string Version { get; } = version;

        public long Sequence { get; } = sequence;

        public Lazy<Task<Bm25Index>> Index { get; } = new(() => store.LoadAsync(orgId, version));

        public long LastUsedTicks => Volatile.Read(ref _lastUsedTicks);

        public void Touch(TimeProvider time) => Volatile.Write(ref _lastUsedTicks, time.GetUtcNow().UtcTicks);
    }

    internal sealed class StampEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Version { get; set; } = "";

        /// <summary>Counts stamp moves; lets an instance tell a newer stamp from a stale read.</summary>
        public long Sequence { get; set; }

        public long ContentAsOfTicks { get; set; }

        public string? PreviousVersion { get; set; }

        public DateTimeOffset PublishedAt { get; set; }

        public int ChunkCount { get; set; }
    }
}
