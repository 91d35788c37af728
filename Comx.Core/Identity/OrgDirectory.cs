using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Identity;

public enum RecordStatus
{
    Active,
    Deleted,
}

/// <summary>An organisation as synced from Clerk, with its billing state from Stripe.</summary>
public sealed record OrgRecord(string OrgId, string Name, string? Slug, RecordStatus Status, DateTimeOffset CreatedAt, Billing.BillingState Billing);

/// <summary>A user's membership of an organisation, as synced from Clerk.</summary>
public sealed record MembershipRecord(string OrgId, string UserId, string Role, RecordStatus Status);

/// <summary>
/// Organisations, users and memberships as Clerk reports them. Every write carries the event's time as a version:
/// an older event never overwrites a newer one, and a deletion is a tombstone. Organisation and user tombstones are
/// final (Clerk never reuses ids); a membership comes back only with a newer event and a new membership id.
/// </summary>
public sealed class OrgDirectory(ComxStorage storage, TimeProvider time, ReadCache cache)
{
    private const string OrgRow = "org";
    private const string OrgKind = "org";
    private const string UserRow = "user";

    private TableClient Orgs => storage.Table(StorageNames.Tables.Orgs);

    private TableClient Members => storage.Table(StorageNames.Tables.Members);

    private TableClient Users => storage.Table(StorageNames.Tables.Users);

    public async Task<OrgRecord?> GetOrgAsync(string orgId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(orgId))
        {
            return null;
        }

        var entity = await Orgs.GetEntityIfExistsAsync<OrgEntity>(orgId, OrgRow, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToRecord() : null;
    }

    /// <summary>
    /// The organisation as read at most <see cref="ReadCache.Staleness"/> ago; this instance's own writes (Clerk and
    /// Stripe webhooks) show at once. For the widget's chat path; authentication reads <see cref="GetOrgAsync"/>.
    /// </summary>
    public Task<OrgRecord?> GetRecentAsync(string orgId, CancellationToken cancellationToken = default) =>
        cache.GetOrLoadAsync(OrgKind, orgId, ct => GetOrgAsync(orgId, ct), cancellationToken);

    public async Task<MembershipRecord?> GetMembershipAsync(string orgId, string userId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(orgId) || !StorageKeys.IsSafeKey(userId))
        {
            return null;
        }

        var membership = Members.GetEntityIfExistsAsync<MemberEntity>(orgId, userId, cancellationToken: cancellationToken);
        var user = Users.GetEntityIfExistsAsync<UserEntity>(userId, UserRow, [nameof(UserEntity.Status)], cancellationToken);
        var (m, u) = (await membership, await user);
        if (!m.HasValue)
        {
            return null;
        }

        var userDeleted = u.HasValue && u.Value!.Status == nameof(RecordStatus.Deleted);
        var status = userDeleted || m.Value!.Status == nameof(RecordStatus.Deleted) ? RecordStatus.Deleted : RecordStatus.Active;
        return new MembershipRecord(orgId, userId, m.Value!.Role, status);
    }

    /// <summary>Creates or updates an organisation unless it is deleted or the stored version is newer.</summary>
    public Task<OrgEntity?> UpsertOrgAsync(string orgId, string name, string? slug, long version, CancellationToken cancellationToken = default) =>
        WriteOrgAsync(orgId, current =>
        {
            if (current is { Status: nameof(RecordStatus.Deleted) } || (current is not null && current.Version > version))
            {
                return null;
            }

            var next = current ?? OrgEntity.New(time.GetUtcNow());
            next.Name = name;
            next.Slug = slug;
            next.Version = version;
            return next;
        }, cancellationToken);

    /// <summary>Deletes an organisation for good: it stops authenticating at once, and no later event brings it back.</summary>
    public Task<OrgEntity?> DeleteOrgAsync(string orgId, long version, CancellationToken cancellationToken = default) =>
        WriteOrgAsync(orgId, current =>
        {
            if (current is { Status: nameof(RecordStatus.Deleted) })
            {
                return null;
            }

            var next = current ?? OrgEntity.New(time.GetUtcNow());
            next.Status = nameof(RecordStatus.Deleted);
            next.Version = Math.Max(version, next.Version);
            return next;
        }, cancellationToken);

    public Task<MemberEntity?> UpsertMembershipAsync(string orgId, string userId, string membershipId, string role, long version,
        CancellationToken cancellationToken = default) =>
        Members.UpdateAsync<MemberEntity>(orgId, userId, current =>
        {
            if (current is not null && current.Version > version)
            {
                return null;
            }

            // A deleted membership never comes back under the same membership id, whatever the event order.
            if (current is { Status: nameof(RecordStatus.Deleted) } && current.MembershipId == membershipId)
            {
                return null;
            }

            return new MemberEntity { MembershipId = membershipId, Role = role, Version = version, Status = nameof(RecordStatus.Active) };
        }, cancellationToken);

    public Task<MemberEntity?> DeleteMembershipAsync(string orgId, string userId, string membershipId, long version, CancellationToken cancellationToken = default) =>
        Members.UpdateAsync<MemberEntity>(orgId, userId, current =>
        {
            if (current is not null && (current.Version > version && current.MembershipId != membershipId))
            {
                return null;
            }

            return new MemberEntity { MembershipId = membershipId, Role = current?.Role ?? "", Version = Math.Max(version, current?.Version ?? 0), Status = nameof(RecordStatus.Deleted) };
        }, cancellationToken);

    public Task<UserEntity?> UpsertUserAsync(string userId, string? email, string? name, long version, CancellationToken cancellationToken = default) =>
        Users.UpdateAsync<UserEntity>(userId, UserRow, current =>
        {
            if (current is { Status: nameof(RecordStatus.Deleted) } || (current is not null && current.Version > version))
            {
                return null;
            }

            return new UserEntity { Email = email, Name = name, Version = version, Status = nameof(RecordStatus.Active) };
        }, cancellationToken);

    public Task<UserEntity?> DeleteUserAsync(string userId, long version, CancellationToken cancellationToken = default) =>
        Users.UpdateAsync<UserEntity>(userId, UserRow, current =>
            current is { Status: nameof(RecordStatus.Deleted) } ? null
            : new UserEntity { Email = null, Name = null, Version = Math.Max(version, current?.Version ?? 0), Status = nameof(RecordStatus.Deleted) },
            cancellationToken);

    /// <summary>Applies a billing change to an organisation's row (ETag-checked); the mutation returns null to skip.</summary>
    public Task<OrgEntity?> UpdateBillingAsync(string orgId, Func<OrgEntity, bool> mutate, CancellationToken cancellationToken = default) =>
        WriteOrgAsync(orgId, current =>
        {
            var next = current ?? OrgEntity.New(time.GetUtcNow());
            return mutate(next) ? next : null;
        }, cancellationToken);

    private async Task<OrgEntity?> WriteOrgAsync(string orgId, Func<OrgEntity?, OrgEntity?> mutate, CancellationToken cancellationToken)
    {
        var written = await Orgs.UpdateAsync(orgId, OrgRow, mutate, cancellationToken);
        cache.Invalidate(OrgKind, orgId);
        return written;
    }

    internal static long VersionOf(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
}

public sealed class OrgEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Name { get; set; } = "";

    public string? Slug { get; set; }

    public string Status { get; set; } = nameof(RecordStatus.Active);

    public long Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string Plan { get; set; } = nameof(Billing.Plan.Trial);

    public string PlanStatus { get; set; } = "trialing";

    public DateTimeOffset? TrialEndsAt { get; set; }

    public string? StripeCustomerId { get; set; }

    public string? StripeSubscriptionId { get; set; }

    public long BillingVersion { get; set; }

    internal static OrgEntity New(DateTimeOffset now) => new()
    {
        CreatedAt = now,
        TrialEndsAt = now + Billing.PlanCatalog.TrialLength,
    };

    internal OrgRecord ToRecord() => new(PartitionKey, Name, Slug, Enum.Parse<RecordStatus>(Status), CreatedAt,
        new Billing.BillingState(Enum.Parse<Billing.Plan>(Plan), PlanStatus, TrialEndsAt, StripeCustomerId, StripeSubscriptionId));
}

public sealed class MemberEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string MembershipId { get; set; } = "";

    public string Role { get; set; } = "";

    public string Status { get; set; } = nameof(RecordStatus.Active);

    public long Version { get; set; }
}

public sealed class UserEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string? Email { get; set; }

    public string? Name { get; set; }

    public string Status { get; set; } = nameof(RecordStatus.Active);

    public long Version { get; set; }
}
