using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.DataProtection;

/// <summary>A stored retention policy with its last run.</summary>
public sealed record RetentionPolicy(string OrgId, int ConversationDays, int EnquiryDays, int SafeguardingDays, DateTimeOffset UpdatedAt, string UpdatedBy,
    RetentionRun? LastRun);

/// <summary>A stored erasure: progress so far, so a redelivered message resumes rather than restarts.</summary>
public sealed record ErasureRecord(string ErasureId, string LearnerId, ErasureStatus Status, IReadOnlyDictionary<string, int> RowsRemoved,
    IReadOnlyList<string> StepsDone, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? CompletedAt, int Attempts)
{
    public ErasureResponse ToResponse() => new(ErasureId, LearnerId, Status, RowsRemoved, StepsDone, CreatedAt, CompletedAt, Attempts);
}

/// <summary>
/// Retention policies and erasures (<see cref="StorageNames.Tables.DataProtection"/>, partition = org): row
/// <c>retention</c> is the policy, <c>e|{erasureId}</c> an erasure. The daily job finds the orgs with a policy by
/// their <c>retention</c> rows, so orgs that never set one cost it nothing.
/// </summary>
public sealed class DataProtectionStore(ComxStorage storage)
{
    private const string PolicyRow = "retention";
    private const string ErasurePrefix = "e|";

    private TableClient Table => storage.Table(StorageNames.Tables.DataProtection);

    public async Task<RetentionPolicy?> GetPolicyAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, PolicyRow, cancellationToken: cancellationToken);
        return entity.HasValue ? ToPolicy(entity.Value!) : null;
    }

    /// <summary>Sets the policy, keeping the last run (ETag read–modify–write).</summary>
    public async Task<RetentionPolicy> PutPolicyAsync(string orgId, RetentionPolicyRequest request, string updatedBy, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var written = await Table.UpdateAsync<TableEntity>(orgId, PolicyRow, current =>
        {
            var next = new TableEntity(orgId, PolicyRow)
            {
                ["ConversationDays"] = request.ConversationDays,
                ["EnquiryDays"] = request.EnquiryDays,
                ["SafeguardingDays"] = request.SafeguardingDays,
                ["UpdatedAt"] = now,
                ["UpdatedBy"] = updatedBy,
                ["LastRun"] = current?.GetString("LastRun"),
            };
            if (current is not null)
            {
                next.ETag = current.ETag;
            }

            return next;
        }, cancellationToken);
        return ToPolicy(written!);
    }

    public async Task RecordRunAsync(string orgId, RetentionRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        await Table.UpdateAsync<TableEntity>(orgId, PolicyRow, current =>
        {
            if (current is null)
            {
                return null;
            }

            current["LastRun"] = ComxJson.Serialize(run);
            return current;
        }, cancellationToken);
    }

    /// <summary>Every stored policy (the daily job's work list).</summary>
    public async Task<IReadOnlyList<RetentionPolicy>> ListPoliciesAsync(CancellationToken cancellationToken = default)
    {
        var policies = new List<RetentionPolicy>();
        var filter = TableClient.CreateQueryFilter($"RowKey eq {PolicyRow}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            policies.Add(ToPolicy(entity));
        }

        return policies;
    }

    public async Task AddErasureAsync(string orgId, ErasureRecord erasure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        await Table.AddEntityAsync(ToEntity(orgId, erasure), cancellationToken);
    }

    public async Task<ErasureRecord?> GetErasureAsync(string orgId, string erasureId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(orgId) || !StorageKeys.IsSafeKey(erasureId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, ErasurePrefix + erasureId, cancellationToken: cancellationToken);
        return entity.HasValue ? ToErasure(entity.Value!) : null;
    }

    /// <summary>Read–modify–write with ETag concurrency; the mutation returns null to leave the erasure alone.</summary>
    public async Task<ErasureRecord?> UpdateErasureAsync(string orgId, string erasureId, Func<ErasureRecord, ErasureRecord?> mutate,
        CancellationToken cancellationToken = default)
    {
        var written = await Table.UpdateAsync<TableEntity>(orgId, ErasurePrefix + erasureId, current =>
        {
            if (current is null || mutate(ToErasure(current)) is not { } next)
            {
                return null;
            }

            var entity = ToEntity(orgId, next);
            entity.ETag = current.ETag;
            return entity;
        }, cancellationToken);
        return written is null ? null : ToErasure(written);
    }

    private static TableEntity ToEntity(string orgId, ErasureRecord e) => new(orgId, ErasurePrefix + e.ErasureId)
    {
        ["LearnerId"] = e.LearnerId,
        ["Status"] = e.Status.ToString(),
        ["RowsRemoved"] = ComxJson.Serialize(e.RowsRemoved),
        ["StepsDone"] = ComxJson.Serialize(e.StepsDone),
        ["CreatedAt"] = e.CreatedAt,
        ["CreatedBy"] = e.CreatedBy,
        ["CompletedAt"] = e.CompletedAt,
        ["Attempts"] = e.Attempts,
    };

    private static ErasureRecord ToErasure(TableEntity e) => new(
        e.RowKey[ErasurePrefix.Length..],
        e.GetString("LearnerId"),
        Enum.Parse<ErasureStatus>(e.GetString("Status")),
        ComxJson.Deserialize<Dictionary<string, int>>(e.GetString("RowsRemoved")) ?? [],
        ComxJson.Deserialize<List<string>>(e.GetString("StepsDone")) ?? [],
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetString("CreatedBy") ?? "",
        e.GetDateTimeOffset("CompletedAt"),
        e.GetInt32("Attempts") ?? 0);

    private static RetentionPolicy ToPolicy(TableEntity e) => new(
        e.PartitionKey,
        e.GetInt32("ConversationDays") ?? RetentionDefaults.ConversationDays,
        e.GetInt32("EnquiryDays") ?? RetentionDefaults.EnquiryDays,
        e.GetInt32("SafeguardingDays") ?? RetentionDefaults.SafeguardingDays,
        e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        e.GetString("UpdatedBy") ?? "",
        e.GetString("LastRun") is { Length: > 0 } run ? ComxJson.Deserialize<RetentionRun>(run) : null);
}

/// <summary>The values <c>GET /org/v1/data-retention</c> shows before an admin sets a policy (nothing is deleted until then).</summary>
public static class RetentionDefaults
{
    public const int ConversationDays = 365;
    public const int EnquiryDays = 365;
    public const int SafeguardingDays = 2555;
}
