using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Http;

/// <summary>The outcome of claiming an idempotency key.</summary>
public abstract record IdempotencyClaim
{
    /// <summary>This request owns the key and must complete or release it.</summary>
    public sealed record Acquired(string Partition, string Row, ETag ETag) : IdempotencyClaim;

    /// <summary>A request with this key and body already finished: send its response again.</summary>
    public sealed record Replay(ComxResponse Response) : IdempotencyClaim;

    /// <summary>The key was used with a different request.</summary>
    public sealed record Mismatch : IdempotencyClaim;

    /// <summary>The first request with this key is still running.</summary>
    public sealed record InFlight : IdempotencyClaim;
}

/// <summary>
/// Stripe-style idempotency in Table Storage. Claiming is an insert (409 means the key exists), so of any number of
/// concurrent duplicates exactly one runs. Responses below 500 are stored and replayed for 24 hours; a 5xx releases
/// the key so the client's retry runs again. A claim whose holder died is taken over after <see cref="LockTimeout"/>.
/// </summary>
public sealed class IdempotencyStore(ComxStorage storage, TimeProvider time)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    public static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);

    // A table property holds at most 64 KiB of binary; larger bodies span several properties.
    private const int ChunkSize = 60 * 1024;
    private const int MaxChunks = 15;

    private TableClient Table => storage.Table(StorageNames.Tables.Idempotency);

    public async Task<IdempotencyClaim> ClaimAsync(string scope, string routeName, string key, string fingerprint, CancellationToken cancellationToken = default)
    {
        var partition = Partition(scope);
        var row = StorageKeys.Hash(routeName + "\n" + key);
        var now = time.GetUtcNow();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var fresh = new TableEntity(partition, row)
            {
                ["Fingerprint"] = fingerprint,
                ["State"] = "in_flight",
                ["LockedAt"] = now,
                ["ExpiresAt"] = now + Retention,
            };
            try
            {
                var added = await Table.AddEntityAsync(fresh, cancellationToken);
                return new IdempotencyClaim.Acquired(partition, row, added.Headers.ETag ?? ETag.All);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }

            var existing = await Table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
            if (!existing.HasValue)
            {
                continue;
            }

            var entity = existing.Value!;
            var expired = entity.GetDateTimeOffset("ExpiresAt") is { } expiresAt && expiresAt <= now;
            var abandoned = entity.GetString("State") == "in_flight" && entity.GetDateTimeOffset("LockedAt") is { } lockedAt && now - lockedAt > LockTimeout;
            if (expired || abandoned)
            {
                try
                {
                    var taken = await Table.UpdateEntityAsync(fresh, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                    return new IdempotencyClaim.Acquired(partition, row, taken.Headers.ETag ?? ETag.All);
                }
                catch (RequestFailedException e) when (e.Status is 412 or 404)
                {
                    continue;
                }
            }

            if (entity.GetString("Fingerprint") != fingerprint)
            {
                return new IdempotencyClaim.Mismatch();
            }

            return entity.GetString("State") == "complete"
                ? new IdempotencyClaim.Replay(ReadResponse(entity))
                : new IdempotencyClaim.InFlight();
        }

        return new IdempotencyClaim.InFlight();
    }

    /// <summary>The partition of a scope's keys (<c>org:{orgId}</c> for org routes): data protection scans an org's stored responses.</summary>
    public static string Partition(string scope) => StorageKeys.Hash(scope);

    public async Task CompleteAsync(IdempotencyClaim.Acquired claim, ComxResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(response);
        if (response.Status >= 500 || response.Body.Length > ChunkSize * MaxChunks)
        {
            await ReleaseAsync(claim, cancellationToken);
            return;
        }

        var entity = new TableEntity(claim.Partition, claim.Row)
        {
            ["State"] = "complete",
            ["Status"] = response.Status,
            ["ContentType"] = response.ContentType,
            ["Headers"] = JsonSerializer.Serialize(response.Headers.Select(h => new[] { h.Key, h.Value })),
            ["Chunks"] = (response.Body.Length + ChunkSize - 1) / ChunkSize,
        };
        for (var i = 0; i * ChunkSize < response.Body.Length; i++)
        {
            entity["Body" + i] = response.Body.AsSpan(i * ChunkSize, Math.Min(ChunkSize, response.Body.Length - (i * ChunkSize))).ToArray();
        }

        // Merge keeps the fingerprint and expiry written by the claim.
        await Table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task ReleaseAsync(IdempotencyClaim.Acquired claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        try
        {
            await Table.DeleteEntityAsync(claim.Partition, claim.Row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var deleted = 0;
        var filter = TableClient.CreateQueryFilter($"ExpiresAt lt {now}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await Table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
            deleted++;
        }

        return deleted;
    }

    private static ComxResponse ReadResponse(TableEntity entity)
    {
        var chunks = entity.GetInt32("Chunks") ?? 0;
        using var body = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            body.Write(entity.GetBinary("Body" + i));
        }

        var headers = JsonSerializer.Deserialize<string[][]>(entity.GetString("Headers") ?? "[]") ?? [];
        return new ComxResponse(entity.GetInt32("Status") ?? 200, body.ToArray(), entity.GetString("ContentType"),
            headers.Select(h => new KeyValuePair<string, string>(h[0], h[1])));
    }
}
