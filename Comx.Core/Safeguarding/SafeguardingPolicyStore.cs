using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Safeguarding;

/// <summary>Each organisation's safeguarding policy; the defaults apply until an admin saves one.</summary>
public sealed class SafeguardingPolicyStore(ComxStorage storage, TimeProvider time, ReadCache cache)
{
    private const string Row = "safeguarding";
    private const string PolicyKind = "safeguarding-policy";

    private TableClient Table => storage.Table(StorageNames.Tables.Settings);

    public async Task<SafeguardingPolicy> GetAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, Row, cancellationToken: cancellationToken);
        return entity.HasValue ? ComxJson.Deserialize<SafeguardingPolicy>(entity.Value!.GetString("Policy"))! : new SafeguardingPolicy();
    }

    /// <summary>The policy as read at most <see cref="ReadCache.Staleness"/> ago (a save on this instance shows at once); for the chat path.</summary>
    public Task<SafeguardingPolicy> GetRecentAsync(string orgId, CancellationToken cancellationToken = default) =>
        cache.GetOrLoadAsync(PolicyKind, orgId, ct => GetAsync(orgId, ct), cancellationToken);

    public async Task<SafeguardingPolicy> SaveAsync(string orgId, SafeguardingPolicy policy, string updatedBy, CancellationToken cancellationToken = default)
    {
        await Table.UpsertEntityAsync(new TableEntity(orgId, Row)
        {
            ["Policy"] = ComxJson.Serialize(policy),
            ["UpdatedBy"] = updatedBy,
            ["UpdatedAt"] = time.GetUtcNow(),
        }, TableUpdateMode.Replace, cancellationToken);
        cache.Invalidate(PolicyKind, orgId);
        return policy;
    }
}
