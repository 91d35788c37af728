using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Identity;

/// <summary>
/// Remembers which inbound webhook events (Svix message ids, Stripe event ids) were applied. An event is recorded
/// only after it was applied, and applying is idempotent by version, so a crash in between means one harmless re-apply
/// rather than a lost event.
/// </summary>
public sealed class InboundEventLog(ComxStorage storage, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.WebhookEvents);

    public async Task<bool> WasAppliedAsync(string source, string eventId, CancellationToken cancellationToken = default)
    {
        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(source, StorageKeys.Hash(eventId), ["PartitionKey"], cancellationToken);
        return entity.HasValue;
    }

    public async Task RecordAppliedAsync(string source, string eventId, string type, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(source, StorageKeys.Hash(eventId))
            {
                ["EventId"] = eventId,
                ["Type"] = type,
                ["AppliedAt"] = time.GetUtcNow(),
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
    }
}
