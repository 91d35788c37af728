using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Accessibility;

/// <summary>Learners' accessibility preferences per organisation; the defaults when none are stored.</summary>
public sealed class LearnerAccessibilityStore(ComxStorage storage, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Learners);

    public async Task<LearnerAccessibility> GetAsync(string orgId, string learnerId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(learnerId))
        {
            return new LearnerAccessibility();
        }

        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, learnerId, cancellationToken: cancellationToken);
        return entity.HasValue ? ComxJson.Deserialize<LearnerAccessibility>(entity.Value!.GetString("Prefs"))! : new LearnerAccessibility();
    }

    /// <summary>The stored preferences, or null when none are stored (export: defaults are not data about the learner).</summary>
    public async Task<LearnerAccessibility?> FindAsync(string orgId, string learnerId, CancellationToken cancellationToken = default)
    {
        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, learnerId, cancellationToken: cancellationToken);
        return entity.HasValue ? ComxJson.Deserialize<LearnerAccessibility>(entity.Value!.GetString("Prefs")) : null;
    }

    /// <summary>Deletes the learner's preferences; true when there were any.</summary>
    public Task<bool> DeleteAsync(string orgId, string learnerId, CancellationToken cancellationToken = default) =>
        TableBatches.DeleteOneAsync(Table, orgId, learnerId, cancellationToken);

    public async Task<LearnerAccessibility> SaveAsync(string orgId, string learnerId, LearnerAccessibility prefs, string updatedBy, CancellationToken cancellationToken = default)
    {
        await Table.UpsertEntityAsync(new TableEntity(orgId, learnerId)
        {
            ["Prefs"] = ComxJson.Serialize(prefs),
            ["UpdatedBy"] = updatedBy,
            ["UpdatedAt"] = time.GetUtcNow(),
        }, TableUpdateMode.Replace, cancellationToken);
        return prefs;
    }
}
