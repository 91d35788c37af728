using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;
using Microsoft.Extensions.Options;

namespace Comx.Core.Deliveries;

public enum HookStatus
{
    Active,
    Paused,
}

/// <summary>An organisation's event subscription. <see cref="SigningSecret"/> never leaves the API except on creation.</summary>
public sealed record WebhookSubscription(
    string HookId,
    string Url,
    IReadOnlyList<string> Events,
    string SigningSecret,
    HookStatus Status,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? PausedAt,
    string? PauseReason,
    int ConsecutiveFailures,
    DateTimeOffset? FailingSince,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt)
{
    public bool Wants(string eventType) => Events.Contains(eventType, StringComparer.Ordinal);
}

/// <summary>
/// Event subscriptions, one row per hook in the organisation's partition. Outcomes are counted with ETag writes, so
/// concurrent deliveries never lose a failure; a subscription is paused once every attempt has failed for
/// <see cref="DeliveryOptions.PauseAfterFailingFor"/> with at least <see cref="DeliveryOptions.PauseAfterFailures"/>
/// failures in a row, or at once on 410 Gone.
/// </summary>
public sealed class WebhookStore(ComxStorage storage, IdGenerator ids, TimeProvider time, IOptions<DeliveryOptions> options, CountedSlots slots)
{
    public const int MaxHooksPerOrg = 20;

    private TableClient Table => storage.Table(StorageNames.Tables.Hooks);

    /// <summary>Stores a new subscription; null when the organisation already has <see cref="MaxHooksPerOrg"/> (an exact limit under concurrency).</summary>
    public async Task<WebhookSubscription?> CreateAsync(string orgId, string url, IReadOnlyList<string> events, string createdBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!await slots.TryReserveAsync(orgId, "webhooks", MaxHooksPerOrg, async ct => (await ListAsync(orgId, ct)).Count, cancellationToken))
        {
            return null;
        }

        var entity = new HookEntity
        {
            PartitionKey = orgId,
            RowKey = ids.New("whk"),
            Url = url,
            Events = string.Join(',', events.Distinct(StringComparer.Ordinal)),
            SigningSecret = WebhookSignature.NewSecret(ids),
            Status = nameof(HookStatus.Active),
            CreatedAt = time.GetUtcNow(),
            CreatedBy = createdBy,
        };
        try
        {
            await Table.AddEntityAsync(entity, cancellationToken);
        }
        catch
        {
            await slots.ReleaseAsync(orgId, "webhooks", CancellationToken.None);
            throw;
        }

        return entity.ToRecord();
    }

    public async Task<WebhookSubscription?> GetAsync(string orgId, string hookId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(hookId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<HookEntity>(orgId, hookId, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToRecord() : null;
    }

    /// <summary>Every subscription of the organisation, oldest first (there are at most <see cref="MaxHooksPerOrg"/>).</summary>
    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var hooks = new List<WebhookSubscription>();
        await foreach (var entity in Table.QueryAsync<HookEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {orgId}"), cancellationToken: cancellationToken))
        {
            hooks.Add(entity.ToRecord());
        }

        return [.. hooks.OrderBy(h => h.CreatedAt).ThenBy(h => h.HookId, StringComparer.Ordinal)];
    }

    /// <summary>False when there was no such subscription.</summary>
    public async Task<bool> DeleteAsync(string orgId, string hookId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(hookId))
        {
            return false;
        }

        // The SDK reports a missing entity as a 404 response rather than an exception.
        var response = await Table.DeleteEntityAsync(orgId, hookId, ETag.All, cancellationToken);
        if (response.Status == 404)
        {
            return false;
        }

        await slots.ReleaseAsync(orgId, "webhooks", cancellationToken);
        return true;
    }

    /// <summary>Makes a subscription active again with its failure counters reset; null when there is none.</summary>
    public async Task<WebhookSubscription?> EnableAsync(string orgId, string hookId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(hookId))
        {
            return null;
        }

        var entity = await Table.UpdateAsync<HookEntity>(orgId, hookId, current =>
        {
            if (current is null)
            {
                return null;
            }

            current.Status = nameof(HookStatus.Active);
            current.PausedAt = null;
            current.PauseReason = null;
            current.ConsecutiveFailures = 0;
            current.FailingSince = null;
            return current;
        }, cancellationToken);
        return entity?.ToRecord();
    }

    /// <summary>Counts one attempt's outcome and pauses the subscription when the policy says so; returns it as stored.</summary>
    public async Task<WebhookSubscription?> RecordOutcomeAsync(string orgId, string hookId, bool succeeded, bool gone, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var policy = options.Value;
        var entity = await Table.UpdateAsync<HookEntity>(orgId, hookId, current =>
        {
            if (current is null)
            {
                return null;
            }

            if (succeeded)
            {
                current.ConsecutiveFailures = 0;
                current.FailingSince = null;
                current.LastSuccessAt = now;
                return current;
            }

            current.ConsecutiveFailures++;
            current.FailingSince ??= now;
            current.LastFailureAt = now;
            if (current.Status == nameof(HookStatus.Active))
            {
                if (gone)
                {
                    Pause(current, now, "The endpoint answered 410 Gone.");
                }
                else if (current.ConsecutiveFailures >= policy.PauseAfterFailures && now - current.FailingSince >= policy.PauseAfterFailingFor)
                {
                    Pause(current, now, $"Every delivery attempt failed since {current.FailingSince:u} ({current.ConsecutiveFailures} in a row).");
                }
            }

            return current;
        }, cancellationToken);
        return entity?.ToRecord();
    }

    private static void Pause(HookEntity hook, DateTimeOffset now, string reason)
    {
        hook.Status = nameof(HookStatus.Paused);
        hook.PausedAt = now;
        hook.PauseReason = reason;
    }

    internal sealed class HookEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Url { get; set; } = "";

        public string Events { get; set; } = "";

        public string SigningSecret { get; set; } = "";

        public string Status { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public string CreatedBy { get; set; } = "";

        public DateTimeOffset? PausedAt { get; set; }

        public string? PauseReason { get; set; }

        public int ConsecutiveFailures { get; set; }

        public DateTimeOffset? FailingSince { get; set; }

        public DateTimeOffset? LastSuccessAt { get; set; }

        public DateTimeOffset? LastFailureAt { get; set; }

        public WebhookSubscription ToRecord() => new(RowKey, Url, Events.Split(',', StringSplitOptions.RemoveEmptyEntries), SigningSecret,
            Enum.Parse<HookStatus>(Status), CreatedAt, CreatedBy, PausedAt, PauseReason, ConsecutiveFailures, FailingSince, LastSuccessAt, LastFailureAt);
    }
}
