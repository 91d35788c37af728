using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Notifications;

/// <summary>Each organisation's notification recipients (row <c>notifications</c> of the settings table); nobody until an admin saves some.</summary>
public sealed class NotificationStore(ComxStorage storage, TimeProvider time)
{
    private const string Row = "notifications";

    private TableClient Table => storage.Table(StorageNames.Tables.Settings);

    public async Task<IReadOnlyList<NotificationRecipient>> GetRecipientsAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, Row, cancellationToken: cancellationToken);
        return entity.HasValue ? ComxJson.Deserialize<List<NotificationRecipient>>(entity.Value!.GetString("Recipients")) ?? [] : [];
    }

    public async Task<IReadOnlyList<NotificationRecipient>> SaveRecipientsAsync(string orgId, IReadOnlyList<NotificationRecipient> recipients, string updatedBy,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        IReadOnlyList<NotificationRecipient> normalised =
            [.. recipients.Select(r => new NotificationRecipient(r.Email.Trim(), [.. r.Events.Distinct(StringComparer.Ordinal)]))];
        await Table.UpsertEntityAsync(new TableEntity(orgId, Row)
        {
            ["Recipients"] = ComxJson.Serialize(normalised),
            ["UpdatedBy"] = updatedBy,
            ["UpdatedAt"] = time.GetUtcNow(),
        }, TableUpdateMode.Replace, cancellationToken);
        return normalised;
    }
}
