using System.Globalization;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Benchmarks;

/// <summary>
/// The storage floor of one chat message, shared by the chat and load benchmarks: the storage calls a message needs
/// today (docs/decisions/021), made directly with the SDK, one after the other, and nothing else — the per-IP and
/// per-session counters (writes), the session and the thread (reads), a usage shard (write), the index stamp (read), the
/// thread's transaction with the messages, the answer and the event, and the dispatch message. Organisation, widget
/// and policy are cached by the handler, so they are not here.
/// </summary>
public static class ChatStorageFloor
{
    public static Task CreateThreadAsync(ComxStorage storage, string orgId, string threadId) =>
        storage.Table(StorageNames.Tables.Conversations).UpsertEntityAsync(new TableEntity(orgId, "t|" + threadId) { ["N"] = 0 });

    public static async Task SendMessageAsync(ComxStorage storage, string orgId, string sessionId, string threadId, int n)
    {
        var limits = storage.Table(StorageNames.Tables.RateLimits);
        await limits.AddEntityAsync(new TableEntity("floor-ip", $"{orgId}-{n}-{Guid.NewGuid():N}") { ["Count"] = 1 });
        await limits.UpsertEntityAsync(new TableEntity("floor-session", threadId) { ["Count"] = n });
        await storage.Table(StorageNames.Tables.ChatSessions).GetEntityIfExistsAsync<TableEntity>(sessionId, "session");
        var conversations = storage.Table(StorageNames.Tables.Conversations);
        var thread = (await conversations.GetEntityAsync<TableEntity>(orgId, "t|" + threadId)).Value;
        await storage.Table(StorageNames.Tables.Usage).UpsertEntityAsync(new TableEntity(orgId, $"floor-s{n % 16:D2}") { ["Count"] = n });
        await storage.Table(StorageNames.Tables.RetrievalIndex).GetEntityIfExistsAsync<TableEntity>(orgId, "current");
        var suffix = n.ToString("D8", CultureInfo.InvariantCulture);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await conversations.SubmitTransactionAsync(
                [
                    new(TableTransactionActionType.UpdateReplace, new TableEntity(orgId, "t|" + threadId) { ["N"] = n }, thread.ETag),
                    new(TableTransactionActionType.UpsertReplace, new TableEntity(orgId, $"i|all|floor|{threadId}") { ["N"] = n }),
                    new(TableTransactionActionType.UpsertReplace, new TableEntity(orgId, $"i|open|floor|{threadId}") { ["N"] = n }),
                    new(TableTransactionActionType.Add, new TableEntity(orgId, $"m|{threadId}|{suffix}a") { ["Text"] = "question" }),
                    new(TableTransactionActionType.Add, new TableEntity(orgId, $"m|{threadId}|{suffix}b") { ["Text"] = "answer" }),
                    new(TableTransactionActionType.Add, new TableEntity(orgId, $"a|ans_floor{suffix}-{threadId}") { ["Text"] = "answer", ["Citations"] = "[]" }),
                    new(TableTransactionActionType.Add, new TableEntity(orgId, $"o|floor{suffix}-{threadId}") { ["Data"] = "{}" }),
                ]);
                break;
            }
            catch (TableTransactionFailedException e) when (e.Status == 412 && attempt < 10)
            {
                // Concurrent floor messages may share a thread, as visitors would not: re-read like the handler does.
                thread = (await conversations.GetEntityAsync<TableEntity>(orgId, "t|" + threadId)).Value;
            }
        }

        await storage.Queue(StorageNames.Queues.WebhookDeliveries).SendMessageAsync("{}");
    }
}
