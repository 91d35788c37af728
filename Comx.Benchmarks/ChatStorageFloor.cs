using System.Globalization;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Benchmarks;

/// <summary>
/// The storage floor of one chat message, shared by the chat and load benchmarks: the storage calls a message needs
/// today (docs/decisions/021), made directly with the SDK, one after the other, and nothing else — the per-IP and
/// per-session counters (writes), the session and the thread (reads), a usage shard (write), the index stamp (read), the
/// thread's transaction, and the dispatch message. Organisation, widget and policy are cached by the handler, so they
/// are not here.
/// </summary>
/// <remarks>
/// The transaction writes what a message's transaction writes, row for row and at the same sizes: the thread
/// (ETag-checked), the inbox's two listing rows moved to the thread's new time (two deletes, two inserts: the inbox lists
/// by recency), the visitor's and the bot's messages, the answer and the event. The sizes are those of the handler's
/// rows in the load benchmark (serialised: thread 626 bytes, listing rows 844, messages 295 and 378, answer 953, event
/// 1,428); until 2026-12-08 the floor wrote 7 rows of a few bytes each and did not move the listing rows, which made the
/// emulator's share of the floor a quarter cheaper than any message can be.
/// </remarks>
public static class ChatStorageFloor
{
    private static readonly string[] Buckets = ["all", "open"];
    private static readonly string ThreadData = Filler(540);
    private static readonly string ListingData = Filler(760);
    private static readonly string QuestionData = Filler(210);
    private static readonly string AnswerText = Filler(290);
    private static readonly string AnswerData = Filler(860);
    private static readonly string EventData = Filler(1_330);

    public static async Task CreateThreadAsync(ComxStorage storage, string orgId, string threadId)
    {
        var conversations = storage.Table(StorageNames.Tables.Conversations);
        var listed = ListedAt(0);
        await conversations.UpsertEntityAsync(new TableEntity(orgId, "t|" + threadId) { ["Listed"] = listed, ["Data"] = ThreadData });
        foreach (var row in ListingRows(orgId, threadId, listed))
        {
            await conversations.UpsertEntityAsync(row);
        }
    }

    public static async Task SendMessageAsync(ComxStorage storage, string orgId, string sessionId, string threadId, int n)
    {
        var limits = storage.Table(StorageNames.Tables.RateLimits);
        // Each counter in a partition of its own, as the rate limiter keeps them (a fresh address's window is new).
        await limits.AddEntityAsync(new TableEntity($"floor-ip:{orgId}:{n}:{Guid.NewGuid():N}", "window") { ["Count"] = 1 });
        await limits.UpsertEntityAsync(new TableEntity("floor-session:" + threadId, "window") { ["Count"] = n });
        await storage.Table(StorageNames.Tables.ChatSessions).GetEntityIfExistsAsync<TableEntity>(sessionId, "session");
        var conversations = storage.Table(StorageNames.Tables.Conversations);
        var thread = (await conversations.GetEntityAsync<TableEntity>(orgId, "t|" + threadId)).Value;
        await storage.Table(StorageNames.Tables.Usage).UpsertEntityAsync(new TableEntity(orgId, $"floor-s{n % 16:D2}") { ["Count"] = n });
        await storage.Table(StorageNames.Tables.RetrievalIndex).GetEntityIfExistsAsync<TableEntity>(orgId, "current");
        var suffix = n.ToString("D8", CultureInfo.InvariantCulture);
        for (var attempt = 0; ; attempt++)
        {
            var (listed, next) = (thread.GetInt64("Listed") ?? 0, ListedAt(n));
            try
            {
                await conversations.SubmitTransactionAsync(
                [
                    new(TableTransactionActionType.UpdateReplace, new TableEntity(orgId, "t|" + threadId) { ["Listed"] = next, ["Data"] = ThreadData }, thread.ETag),
                    .. ListingRows(orgId, threadId, listed).Select(old => new TableTransactionAction(TableTransactionActionType.Delete, old, Azure.ETag.All)),
                    .. ListingRows(orgId, threadId, next).Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)),
                    new(TableTransactionActionType.Add, new TableEntity(orgId, $"m|{threadId}|{suffix}a") { ["Text"] = QuestionData }),
                    new(TableTransactionActionType.Add, new TableEntity(orgId, $"m|{threadId}|{suffix}b") { ["Text"] = AnswerText }),
                    new(TableTransactionActionType.Add, new TableEntity(orgId, $"a|ans_floor{suffix}-{threadId}") { ["Data"] = AnswerData }),
                    new(TableTransactionActionType.Add, new TableEntity(orgId, $"o|floor{suffix}-{threadId}") { ["Data"] = EventData }),
                ]);
                break;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412 && attempt < 10)
            {
                // Concurrent floor messages may share a thread, as visitors would not: re-read like the handler does.
                thread = (await conversations.GetEntityAsync<TableEntity>(orgId, "t|" + threadId)).Value;
            }
        }

        await storage.Queue(StorageNames.Queues.WebhookDeliveries).SendMessageAsync("{}");
    }

    // A time-ordered listing key for message n of the run: newer messages list first, as the inbox's keys do.
    private static long ListedAt(int n) => long.MaxValue - (DateTimeOffset.UtcNow.UtcTicks + n);

    private static IEnumerable<TableEntity> ListingRows(string orgId, string threadId, long listed) =>
        Buckets.Select(bucket => new TableEntity(orgId, $"i|{bucket}|{listed:D19}|{threadId}") { ["Thread"] = ListingData });

    private static string Filler(int length) =>
        string.Concat(Enumerable.Repeat("The school office is open from 8.30 to 4.00 on weekdays in term time. ", (length / 70) + 1))[..length];
}
