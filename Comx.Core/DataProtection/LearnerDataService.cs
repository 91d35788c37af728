using System.Text;
using Azure.Data.Tables;
using Comx.Core.Accessibility;
using Comx.Core.Chat;
using Comx.Core.Events;
using Comx.Core.Inbox;
using Comx.Core.Storage;
using Comx.Core.ThinkGuide;
using Microsoft.Extensions.Logging;

namespace Comx.Core.DataProtection;

/// <summary>
/// Everything held about one learner: found from the chat sessions and ThinkGuide sessions started with their
/// learner id, and exported or erased together. What a learner's chat session leads to: its thread (messages,
/// listing rows), the answers given in it (question and text), enquiries sent from it, outbox events and webhook
/// delivery logs that name it, and the session row itself.
/// </summary>
/// <remarks>
/// An erasure runs as steps, each idempotent, in an order that keeps the way back to what is left: the events and
/// delivery logs first (found by the ids of every session), then session by session the answers, enquiries and
/// thread before the session row that leads to them, then ThinkGuide and accessibility. Progress is saved after every
/// step, so a crash at any point leaves what the next delivery of the message needs, and it resumes.
/// </remarks>
public sealed partial class LearnerDataService(
    ChatSessionStore chatSessions,
    ConversationStore conversations,
    ConversationEraser eraser,
    EnquiryStore enquiryStore,
    EventStore events,
    AnswerStore answers,
    ThinkGuideStore thinkGuide,
    LearnerAccessibilityStore accessibility,
    DataProtectionStore store,
    ComxStorage storage,
    QueueSender queue,
    IdGenerator ids,
    TimeProvider time,
    ILogger<LearnerDataService> logger)
{
    private const int MaxMessagesPerThread = 100_000;

    public async Task<LearnerExport> ExportAsync(string orgId, string learnerId, CancellationToken cancellationToken = default)
    {
        var prefs = await accessibility.FindAsync(orgId, learnerId, cancellationToken);
        var guides = new List<ExportedThinkGuideSession>();
        foreach (var session in await thinkGuide.ListForLearnerAsync(orgId, learnerId, cancellationToken))
        {
            guides.Add(new ExportedThinkGuideSession(session, await thinkGuide.ListStepsAsync(orgId, session.SessionId, cancellationToken)));
        }

        var chats = new List<ExportedChatSession>();
        foreach (var session in (await chatSessions.ListForLearnerAsync(orgId, learnerId, cancellationToken)).OrderBy(s => s.CreatedAt))
        {
            var messages = await conversations.ListMessagesAsync(orgId, session.ThreadId, null, MaxMessagesPerThread, cancellationToken);
            var given = new List<StoredAnswer>();
            foreach (var answerId in messages.Select(m => m.AnswerId).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                if (await answers.GetAsync(answerId, cancellationToken) is { } answer && answer.OrgId == orgId)
                {
                    given.Add(answer);
                }
            }

            var enquiries = (await EnquiryRowsAsync(orgId, session.SessionId, cancellationToken)).Select(e => new ExportedEnquiry(e.RowKey.Split('|')[^1],
                e.GetString("Name") ?? "", e.GetString("Email") ?? "", e.GetString("Phone"), e.GetString("Message") ?? "",
                e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue)).ToList();
            chats.Add(new ExportedChatSession(session.SessionId, session.ThreadId, session.VisitorId, session.Locale, session.CreatedAt, session.ExpiresAt,
                messages, given, enquiries));
        }

        return new LearnerExport(learnerId, orgId, time.GetUtcNow(), prefs, guides, chats);
    }

    /// <summary>Records an erasure and queues it; the job does the work.</summary>
    public async Task<ErasureRecord> StartErasureAsync(string orgId, string learnerId, string requestedBy, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var erasure = new ErasureRecord(ids.New("era"), learnerId, ErasureStatus.Queued, new Dictionary<string, int>(), [], now, requestedBy, null, 0);
        await store.AddErasureAsync(orgId, erasure, cancellationToken);
        await queue.SendAsync(StorageNames.Queues.LearnerErasures, ErasureMessage.For(orgId, erasure.ErasureId), cancellationToken: cancellationToken);
        return erasure;
    }

    /// <summary>The queue job: runs (or resumes) an erasure to the end. A completed erasure's message is a no-op.</summary>
    public Task RunAsync(ErasureMessage message, CancellationToken cancellationToken = default) =>
        RunStepsAsync(message, int.MaxValue, cancellationToken);

    /// <summary>Runs at most <paramref name="maxSteps"/> steps: what a worker that dies part-way has done (tests and benchmarks).</summary>
    internal async Task RunStepsAsync(ErasureMessage message, int maxSteps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Version != ErasureMessage.CurrentVersion)
        {
            throw new InvalidOperationException($"Unknown erasure message version {message.Version}.");
        }

        var orgId = message.OrgId;
        var erasure = await store.UpdateErasureAsync(orgId, message.ErasureId, e => e.Status == ErasureStatus.Completed
            ? null
            : e with { Status = ErasureStatus.Running, Attempts = e.Attempts + 1 }, cancellationToken);
        if (erasure is null or { Status: ErasureStatus.Completed })
        {
            return;
        }

        var learnerId = erasure.LearnerId;
        var steps = 0;
        var sessions = await chatSessions.ListForLearnerAsync(orgId, learnerId, cancellationToken);
        var guides = await thinkGuide.ListForLearnerAsync(orgId, learnerId, cancellationToken);

        if (!erasure.StepsDone.Contains("events"))
        {
            HashSet<string> tokens = [.. sessions.SelectMany(s => new[] { s.SessionId, s.ThreadId }), .. guides.Select(g => g.SessionId)];
            var removed = await DeleteEventsNamingAsync(orgId, tokens, cancellationToken);
            removed["stored_responses"] = await DeleteStoredResponsesNamingAsync(orgId, new HashSet<string>(tokens) { learnerId }, erasure.ErasureId, cancellationToken);
            erasure = await SaveStepAsync(orgId, erasure, "events", removed, cancellationToken);
            if (++steps >= maxSteps)
            {
                return;
            }
        }

        foreach (var session in sessions)
        {
            var removed = await EraseChatSessionAsync(orgId, session, cancellationToken);
            erasure = await SaveStepAsync(orgId, erasure, null, removed, cancellationToken);
            if (++steps >= maxSteps)
            {
                return;
            }
        }

        foreach (var guide in guides)
        {
            var rows = await thinkGuide.DeleteAsync(orgId, guide.SessionId, cancellationToken);
            erasure = await SaveStepAsync(orgId, erasure, null, new Dictionary<string, int> { ["thinkguide_sessions"] = 1, ["thinkguide_rows"] = rows }, cancellationToken);
            if (++steps >= maxSteps)
            {
                return;
            }
        }

        var prefs = await accessibility.DeleteAsync(orgId, learnerId, cancellationToken) ? 1 : 0;
        erasure = await SaveStepAsync(orgId, erasure, "accessibility", new Dictionary<string, int> { ["accessibility_prefs"] = prefs }, cancellationToken);

        // The event before the final state: a crash in between re-raises it under the same id (a no-op) on redelivery.
        var now = time.GetUtcNow();
        await events.AddAsync(orgId, [EventRecord.Create("evt_" + erasure.ErasureId["era_".Length..], now,
            new ErasureCompletedData(erasure.ErasureId, learnerId, erasure.RowsRemoved.Values.Sum(), now))], cancellationToken);
        await store.UpdateErasureAsync(orgId, erasure.ErasureId, e => e.Status == ErasureStatus.Completed ? null
            : e with { Status = ErasureStatus.Completed, CompletedAt = now, StepsDone = [.. e.StepsDone, "completed"] }, cancellationToken);
        var total = erasure.RowsRemoved.Values.Sum();
        LogErased(logger, orgId, erasure.ErasureId, total);
    }

    private async Task<ErasureRecord> SaveStepAsync(string orgId, ErasureRecord erasure, string? step, IReadOnlyDictionary<string, int> removed,
        CancellationToken cancellationToken)
    {
        var saved = await store.UpdateErasureAsync(orgId, erasure.ErasureId, e =>
        {
            var rows = new Dictionary<string, int>(e.RowsRemoved);
            foreach (var (kind, count) in removed)
            {
                rows[kind] = rows.GetValueOrDefault(kind) + count;
            }

            return e with { RowsRemoved = rows, StepsDone = step is null || e.StepsDone.Contains(step) ? e.StepsDone : [.. e.StepsDone, step] };
        }, cancellationToken);
        return saved ?? erasure;
    }

    /// <summary>One chat session: enquiries sent from it, then the conversation (the session row, the way back to it, last).</summary>
    private async Task<Dictionary<string, int>> EraseChatSessionAsync(string orgId, ChatSession session, CancellationToken cancellationToken)
    {
        var enquiries = await enquiryStore.DeleteWhereAsync(orgId, e => e.SessionId == session.SessionId, cancellationToken);
        var removed = await eraser.EraseAsync(orgId, session.ThreadId, session.SessionId, cancellationToken);
        removed["enquiries"] = enquiries;
        return removed;
    }

    /// <summary>Outbox events and webhook delivery logs whose body names one of the learner's sessions or threads.</summary>
    private async Task<Dictionary<string, int>> DeleteEventsNamingAsync(string orgId, IReadOnlySet<string> tokens, CancellationToken cancellationToken)
    {
        if (tokens.Count == 0)
        {
            return new Dictionary<string, int> { ["events"] = 0, ["deliveries"] = 0 };
        }

        var eventCount = await events.DeleteWhereAsync(orgId, row => Names(row, tokens), cancellationToken);
        var deliveriesTable = storage.Table(StorageNames.Tables.Deliveries);
        var doomed = new List<ITableEntity>();
        await foreach (var row in deliveriesTable.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {orgId}"), cancellationToken: cancellationToken))
        {
            if (Names(row, tokens))
            {
                doomed.Add(row);
            }
        }

        await TableBatches.DeleteAsync(deliveriesTable, doomed, cancellationToken);
        return new Dictionary<string, int> { ["events"] = eventCount, ["deliveries"] = doomed.Count };
    }

    /// <summary>
    /// Responses the org's idempotency keys keep for replay (24 h) that name the learner: a ThinkGuide start, a learner's
    /// preferences. The response to this erasure's own request names it too, and stays so that a retry replays it.
    /// </summary>
    private async Task<int> DeleteStoredResponsesNamingAsync(string orgId, IReadOnlySet<string> tokens, string erasureId, CancellationToken cancellationToken)
    {
        var table = storage.Table(StorageNames.Tables.Idempotency);
        var partition = Http.IdempotencyStore.Partition("org:" + orgId);
        var doomed = new List<ITableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            // The body is split over Body0, Body1, …: join the parts in order so an id across a boundary is still found.
            var body = new List<byte>();
            for (var i = 0; row.TryGetValue("Body" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var part) && part is byte[] bytes; i++)
            {
                body.AddRange(bytes);
            }

            var text = Encoding.UTF8.GetString([.. body]);
            if (!text.Contains(erasureId, StringComparison.Ordinal) && tokens.Any(t => text.Contains(t, StringComparison.Ordinal)))
            {
                doomed.Add(row);
            }
        }

        await TableBatches.DeleteAsync(table, doomed, cancellationToken);
        return doomed.Count;
    }

    /// <summary>Whether any text or binary property of the row contains one of the ids (ids are long random strings, so no false matches).</summary>
    private static bool Names(TableEntity row, IReadOnlySet<string> tokens)
    {
        var text = new StringBuilder();
        foreach (var (_, value) in row)
        {
            _ = value switch
            {
                string s => text.Append(s).Append('\n'),
                byte[] b => text.Append(Encoding.UTF8.GetString(b)).Append('\n'),
                _ => text,
            };
        }

        var all = text.ToString();
        return tokens.Any(t => all.Contains(t, StringComparison.Ordinal));
    }

    private async Task<IReadOnlyList<TableEntity>> EnquiryRowsAsync(string orgId, string sessionId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {"e|"} and RowKey lt {"e|~"} and SessionId eq {sessionId}");
        var rows = new List<TableEntity>();
        await foreach (var row in storage.Table(StorageNames.Tables.Conversations).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {ErasureId} (org {OrgId}) completed: {Rows} rows removed.")]
    private static partial void LogErased(ILogger logger, string orgId, string erasureId, int rows);
}
