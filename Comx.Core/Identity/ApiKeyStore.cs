using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Identity;

/// <summary>An API key's metadata; the secret itself is never stored, only its SHA-256.</summary>
public sealed record ApiKeyInfo(string KeyId, string Name, string Prefix, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastRotatedAt, DateTimeOffset? RevokedAt);

/// <summary>A key as shown once, on create and rotate.</summary>
public sealed record IssuedApiKey(ApiKeyInfo Info, string Secret);

/// <summary>The org and key a presented secret belongs to.</summary>
public sealed record ApiKeyIdentity(string OrgId, string KeyId);

/// <summary>
/// Org API keys (<c>comx_sk_…</c>). Metadata rows live under the org; a lookup row keyed by the secret's hash points
/// back to the org and key, so authentication is one point read. Revoking or rotating deletes the old lookup row,
/// so the old secret stops working at once.
/// </summary>
public sealed class ApiKeyStore(ComxStorage storage, IdGenerator ids, TimeProvider time)
{
    public const string SecretPrefix = "comx_sk_";
    private const string LookupPartition = "lookup";

    private TableClient Table => storage.Table(StorageNames.Tables.ApiKeys);

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public async Task<ApiKeyIdentity?> FindAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }

        var lookup = await Table.GetEntityIfExistsAsync<TableEntity>(LookupPartition, HashOf(secret), cancellationToken: cancellationToken);
        return lookup.HasValue ? new ApiKeyIdentity(lookup.Value!.GetString("OrgId"), lookup.Value.GetString("KeyId")) : null;
    }

    public async Task<IssuedApiKey> CreateAsync(string orgId, string name, string createdBy, CancellationToken cancellationToken = default)
    {
        var keyId = ids.New("key");
        var secret = NewSecret();
        var now = time.GetUtcNow();
        var entity = new KeyEntity
        {
            PartitionKey = orgId,
            RowKey = keyId,
            Name = name,
            Hash = HashOf(secret),
            Prefix = secret[..12],
            CreatedAt = now,
            CreatedBy = createdBy,
        };
        // Lookup first: a key whose metadata write failed is unusable anyway, and never listed.
        await AddLookupAsync(orgId, keyId, entity.Hash, cancellationToken);
        await Table.AddEntityAsync(entity, cancellationToken);
        return new IssuedApiKey(entity.ToInfo(), secret);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var keys = new List<ApiKeyInfo>();
        await foreach (var entity in Table.QueryAsync<KeyEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {orgId}"), cancellationToken: cancellationToken))
        {
            keys.Add(entity.ToInfo());
        }

        return [.. keys.OrderByDescending(k => k.CreatedAt)];
    }

    public async Task<ApiKeyInfo?> GetAsync(string orgId, string keyId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(keyId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<KeyEntity>(orgId, keyId, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToInfo() : null;
    }

    /// <summary>Revokes a key; revoking twice is a no-op. Null when the org has no such key.</summary>
    public async Task<ApiKeyInfo?> RevokeAsync(string orgId, string keyId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(keyId))
        {
            return null;
        }

        var now = time.GetUtcNow();
        string? oldHash = null;
        var updated = await Table.UpdateAsync<KeyEntity>(orgId, keyId, current =>
        {
            if (current is null || current.RevokedAt is not null)
            {
                return null;
            }

            oldHash = current.Hash;
            current.RevokedAt = now;
            return current;
        }, cancellationToken);
        if (oldHash is not null)
        {
            await DeleteLookupAsync(oldHash, cancellationToken);
        }

        return updated?.ToInfo();
    }

    /// <summary>Issues a new secret for the same key id; the old secret stops working at once. Null when missing or revoked.</summary>
    public async Task<IssuedApiKey?> RotateAsync(string orgId, string keyId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(keyId))
        {
            return null;
        }

        var secret = NewSecret();
        var hash = HashOf(secret);
        string? oldHash = null;
        var now = time.GetUtcNow();
        var existing = await GetAsync(orgId, keyId, cancellationToken);
        if (existing is null || existing.RevokedAt is not null)
        {
            return null;
        }

        await AddLookupAsync(orgId, keyId, hash, cancellationToken);
        var updated = await Table.UpdateAsync<KeyEntity>(orgId, keyId, current =>
        {
            if (current is null || current.RevokedAt is not null)
            {
                return null;
            }

            oldHash = current.Hash;
            current.Hash = hash;
            current.Prefix = secret[..12];
            current.LastRotatedAt = now;
            return current;
        }, cancellationToken);
        if (oldHash is null)
        {
            await DeleteLookupAsync(hash, cancellationToken);
            return null;
        }

        await DeleteLookupAsync(oldHash, cancellationToken);
        return new IssuedApiKey(updated!.ToInfo(), secret);
    }

    private string NewSecret() => SecretPrefix + ids.Random(32);

    private async Task AddLookupAsync(string orgId, string keyId, string hash, CancellationToken cancellationToken) =>
        await Table.AddEntityAsync(new TableEntity(LookupPartition, hash) { ["OrgId"] = orgId, ["KeyId"] = keyId }, cancellationToken);

    private async Task DeleteLookupAsync(string hash, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(LookupPartition, hash, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    internal sealed class KeyEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Name { get; set; } = "";

        public string Hash { get; set; } = "";

        public string Prefix { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public string CreatedBy { get; set; } = "";

        public DateTimeOffset? LastRotatedAt { get; set; }

        public DateTimeOffset? RevokedAt { get; set; }

        public ApiKeyInfo ToInfo() => new(RowKey, Name, Prefix, CreatedAt, CreatedBy, LastRotatedAt, RevokedAt);
    }
}
