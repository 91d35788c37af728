using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Identity;

/// <summary>
/// Widget settings per organisation, the lookup from publishable widget key to organisation, and an index of allowed
/// origins (so a CORS preflight, which carries no widget key, can be answered without scanning every organisation).
/// </summary>
public sealed class WidgetSettingsStore(ComxStorage storage, IdGenerator ids, TimeProvider time, ReadCache cache)
{
    private const string SettingsKind = "widget";
    private const string OriginKind = "widget-origin";
    public const string KeyPrefix = "comx_pk_";
    public const string DefaultGreeting = "Hi! Ask me anything about us. I answer from our published information.";
    private const string SettingsRow = "widget";
    private const string KeyRow = "key";

    private TableClient Table => storage.Table(StorageNames.Tables.Widgets);

    /// <summary>The organisation's widget, created with a new key and defaults on first use.</summary>
    public async Task<WidgetSettings> GetOrCreateAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var existing = await Table.GetEntityIfExistsAsync<SettingsEntity>(orgId, SettingsRow, cancellationToken: cancellationToken);
        if (existing.HasValue)
        {
            return existing.Value!.ToSettings();
        }

        var key = KeyPrefix + ids.Random(20);
        var entity = new SettingsEntity
        {
            PartitionKey = orgId,
            RowKey = SettingsRow,
            WidgetKey = key,
            Greeting = DefaultGreeting,
            Origins = "[]",
            HandoffEnabled = true,
            EnquiriesEnabled = true,
            UpdatedAt = time.GetUtcNow(),
        };
        await Table.UpsertEntityAsync(new TableEntity(key, KeyRow) { ["OrgId"] = orgId }, TableUpdateMode.Replace, cancellationToken);
        try
        {
            await Table.AddEntityAsync(entity, cancellationToken);
            cache.Invalidate(SettingsKind, orgId);
            return entity.ToSettings();
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Another request created it first; drop our unused key.
            await Table.DeleteEntityAsync(key, KeyRow, ETag.All, cancellationToken);
            var winner = await Table.GetEntityAsync<SettingsEntity>(orgId, SettingsRow, cancellationToken: cancellationToken);
            return winner.Value.ToSettings();
        }
    }

    public async Task<WidgetSettings> UpdateAsync(string orgId, WidgetSettingsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await GetOrCreateAsync(orgId, cancellationToken);
        var origins = request.AllowedOrigins.Select(o => WidgetOrigins.Normalise(o)!).Distinct(StringComparer.Ordinal).ToList();
        IReadOnlyList<string> previous = [];
        var updated = await Table.UpdateAsync<SettingsEntity>(orgId, SettingsRow, current =>
        {
            previous = current!.OriginList();
            current.Origins = JsonSerializer.Serialize(origins);
            current.Greeting = request.Greeting.Trim();
            current.Theme = request.Theme is null ? null : ComxJson.Serialize(request.Theme);
            current.HandoffEnabled = request.HandoffEnabled;
            current.EnquiriesEnabled = request.EnquiriesEnabled ?? current.EnquiriesEnabled;
            current.BusinessHours = request.BusinessHours is null ? null : ComxJson.Serialize(request.BusinessHours);
            current.AwayMessage = request.AwayMessage?.Trim();
            current.ChatRateLimitPerIp = request.ChatRateLimitPerIp ?? current.ChatRateLimitPerIp;
            current.UpdatedAt = time.GetUtcNow();
            return current;
        }, cancellationToken);
        cache.Invalidate(SettingsKind, orgId);

        foreach (var added in origins.Except(previous))
        {
            await Table.UpsertEntityAsync(new TableEntity(OriginPartition(added), orgId), TableUpdateMode.Replace, cancellationToken);
        }

        foreach (var removed in previous.Except(origins))
        {
            try
            {
                await Table.DeleteEntityAsync(OriginPartition(removed), orgId, ETag.All, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }
        }

        foreach (var changed in origins.Except(previous).Concat(previous.Except(origins)))
        {
            cache.Invalidate(OriginKind, changed);
        }

        return updated!.ToSettings();
    }

    /// <summary>The organisation a publishable widget key belongs to, with its settings; null for an unknown key.</summary>
    public async Task<(string OrgId, WidgetSettings Settings)?> ResolveAsync(string widgetKey, CancellationToken cancellationToken = default)
    {
        if (!widgetKey.StartsWith(KeyPrefix, StringComparison.Ordinal) || !StorageKeys.IsSafeKey(widgetKey))
        {
            return null;
        }

        var lookup = await Table.GetEntityIfExistsAsync<TableEntity>(widgetKey, KeyRow, cancellationToken: cancellationToken);
        if (!lookup.HasValue)
        {
            return null;
        }

        var orgId = lookup.Value!.GetString("OrgId");
        var settings = await Table.GetEntityIfExistsAsync<SettingsEntity>(orgId, SettingsRow, cancellationToken: cancellationToken);
        return settings.HasValue && settings.Value!.WidgetKey == widgetKey ? (orgId, settings.Value.ToSettings()) : null;
    }

    public async Task<WidgetSettings?> GetAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var settings = await Table.GetEntityIfExistsAsync<SettingsEntity>(orgId, SettingsRow, cancellationToken: cancellationToken);
        return settings.HasValue ? settings.Value!.ToSettings() : null;
    }

    /// <summary>
    /// The organisation's widget settings as read at most <see cref="ReadCache.Staleness"/> ago (this instance's own
    /// writes show at once): for the chat path, which needs them on every message.
    /// </summary>
    public Task<WidgetSettings?> GetRecentAsync(string orgId, CancellationToken cancellationToken = default) =>
        cache.GetOrLoadAsync(SettingsKind, orgId, ct => GetAsync(orgId, ct), cancellationToken);

    /// <summary>
    /// True when some organisation allows the origin (the preflight answer; each request is then checked per
    /// organisation). Asked on every public request from a browser, so the answer is cached like <see cref="GetRecentAsync"/>.
    /// </summary>
    public Task<bool> IsAllowedAnywhereAsync(string origin, CancellationToken cancellationToken = default) =>
        WidgetOrigins.Normalise(origin) is not { } normalised
            ? Task.FromResult(false)
            : cache.GetOrLoadAsync(OriginKind, normalised, ct => IsAllowedAnywhereUncachedAsync(normalised, ct), cancellationToken);

    private async Task<bool> IsAllowedAnywhereUncachedAsync(string normalised, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {OriginPartition(normalised)}");
        await foreach (var _ in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            return true;
        }

        return false;
    }

    private static string OriginPartition(string origin) => "origin-" + StorageKeys.Hash(origin);

    internal sealed class SettingsEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string WidgetKey { get; set; } = "";

        public string Origins { get; set; } = "[]";

        public string Greeting { get; set; } = "";

        public string? Theme { get; set; }

        public bool HandoffEnabled { get; set; }

        public bool EnquiriesEnabled { get; set; }

        public DateTimeOffset UpdatedAt { get; set; }

        public string? BusinessHours { get; set; }

        public string? AwayMessage { get; set; }

        /// <summary>Null on rows written before the setting existed: the default applies.</summary>
        public int? ChatRateLimitPerIp { get; set; }

        public IReadOnlyList<string> OriginList() => JsonSerializer.Deserialize<List<string>>(Origins) ?? [];

        public WidgetSettings ToSettings() => new(WidgetKey, OriginList(), Greeting,
            Theme is null ? null : ComxJson.Deserialize<WidgetTheme>(Theme), HandoffEnabled, EnquiriesEnabled, UpdatedAt,
            BusinessHours is null ? null : ComxJson.Deserialize<BusinessHours>(BusinessHours), AwayMessage,
            ChatRateLimitPerIp ?? WidgetSettingsRequest.DefaultChatRateLimitPerIp);
    }
}
