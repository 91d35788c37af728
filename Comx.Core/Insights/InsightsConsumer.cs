using Azure.Data.Tables;
using Comx.Core.Chat;
using Comx.Core.Events;
using Comx.Core.Notifications;
using Microsoft.Extensions.AI;

namespace Comx.Core.Insights;

/// <summary>
/// The insights consumer of the event pipeline: keeps the daily counters and the unanswered questions as events happen,
/// so the insights routes never scan messages. Each event counts once however often it is delivered (its marker is
/// written with its counters, <see cref="InsightsStore.ApplyAsync"/>).
/// </summary>
public sealed class InsightsConsumer(InsightsStore store, AnswerStore answers, IEmbeddingGenerator<string, Embedding<float>> embeddings) : IEventConsumer
{
    /// <summary>Citations of one answer counted per source (an answer rarely cites more; the cap keeps the transaction under 100 rows).</summary>
    private const int MaxSourcesPerAnswer = 20;

    public async Task ConsumeAsync(string orgId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case EventTypes.ChatMessageAnswered when NotificationEmails.ReadData<ChatMessageAnsweredData>(e.Json) is { } answered:
                    await AnsweredAsync(orgId, e, answered, cancellationToken);
                    break;
                case EventTypes.HandoffRequested:
                    await CountAsync(orgId, e, write => write.Add(InsightsStore.CounterKey(e.CreatedAt, e.EventId), Counters.Handoffs), cancellationToken);
                    break;
                case EventTypes.SafeguardingAlert when NotificationEmails.ReadData<SafeguardingAlertData>(e.Json) is { } alert:
                    // An escalated chat message is a message the assistant did not answer: it counts as a message and an
                    // escalation, and is never stored as an unanswered question.
                    await CountAsync(orgId, e, write =>
                    {
                        var key = InsightsStore.CounterKey(e.CreatedAt, e.EventId);
                        write.Add(key, Counters.Escalations);
                        if (alert.Source == SafeguardingSources.Chat)
                        {
                            write.Add(key, Counters.Messages);
                        }
                    }, cancellationToken);
                    break;
                case EventTypes.FeedbackReceived when NotificationEmails.ReadData<FeedbackReceivedData>(e.Json) is { } feedback:
                    await FeedbackAsync(orgId, e, feedback, cancellationToken);
                    break;
            }
        }
    }

    private Task CountAsync(string orgId, StoredEvent e, Action<InsightsWrite> plan, CancellationToken cancellationToken) =>
        store.ApplyAsync(orgId, e.EventId, e.CreatedAt, [], _ =>
        {
            var write = new InsightsWrite();
            plan(write);
            return write;
        }, cancellationToken);

    private async Task AnsweredAsync(string orgId, StoredEvent e, ChatMessageAnsweredData data, CancellationToken cancellationToken)
    {
        var question = data.Fallback && !string.IsNullOrWhiteSpace(data.Question) ? await QuestionRowAsync(e.CreatedAt, data.AnswerId, data.Question, "fallback", cancellationToken) : null;
        await store.ApplyAsync(orgId, e.EventId, e.CreatedAt, [], _ =>
        {
            var write = new InsightsWrite();
            var key = InsightsStore.CounterKey(e.CreatedAt, e.EventId);
            write.Add(key, Counters.Messages);
            write.Add(key, data.Fallback ? Counters.Fallbacks : Counters.Answered);
            foreach (var source in data.Citations.Where(c => Storage.StorageKeys.IsSafeKey(c.SourceId)).DistinctBy(c => c.SourceId).Take(MaxSourcesPerAnswer))
            {
                write.Cite(key, source.SourceId, source.Title);
            }

            if (question is not null)
            {
                write.Merges.Add(question);
            }

            return write;
        }, cancellationToken);
    }

    /// <summary>
    /// A vote counts once per answer: the answer's vote row remembers which counter row it was counted in, so a changed
    /// vote takes its count back from there and adds the new one (the payload does not carry the previous vote).
    /// </summary>
    private async Task FeedbackAsync(string orgId, StoredEvent e, FeedbackReceivedData data, CancellationToken cancellationToken)
    {
        if (!Storage.StorageKeys.IsSafeKey(data.AnswerId))
        {
            return;
        }

        TableEntity? question = null;
        if (!data.Helpful && await answers.GetAsync(data.AnswerId, cancellationToken) is { } answer && answer.OrgId == orgId && !answer.Fallback
            && !string.IsNullOrWhiteSpace(answer.Question))
        {
            // A fallback answer's question is listed already; an unhelpful answer's question joins it.
            question = await QuestionRowAsync(e.CreatedAt, data.AnswerId, answer.Question, "unhelpful", cancellationToken);
        }

        var voteKey = InsightsStore.VoteKey(data.AnswerId);
        await store.ApplyAsync(orgId, e.EventId, e.CreatedAt, [voteKey], read =>
        {
            var write = new InsightsWrite();
            var prior = read.GetValueOrDefault(voteKey);
            if (prior?.GetBoolean("Helpful") == data.Helpful)
            {
                return write;
            }

            if (prior is not null && prior.GetString("CounterKey") is { Length: > 0 } priorKey)
            {
                write.Add(priorKey, prior.GetBoolean("Helpful") == true ? Counters.Helpful : Counters.Unhelpful, -1);
            }

            var key = InsightsStore.CounterKey(e.CreatedAt, e.EventId);
            write.Add(key, data.Helpful ? Counters.Helpful : Counters.Unhelpful);
            var questionKey = question?.RowKey ?? prior?.GetString("QuestionKey");
            var vote = new TableEntity(orgId, voteKey) { ["Helpful"] = data.Helpful, ["CounterKey"] = key };
            if (questionKey is not null)
            {
                vote["QuestionKey"] = questionKey;
            }

            write.Puts.Add(vote);
            if (question is not null)
            {
                question["Withdrawn"] = false;
                write.Merges.Add(question);
            }
            else if (data.Helpful && questionKey is not null)
            {
                // The visitor changed their mind: the answer helped after all, so its question is no longer unanswered.
                write.Merges.Add(new TableEntity(orgId, questionKey) { ["Withdrawn"] = true });
            }

            return write;
        }, cancellationToken);
    }

    private async Task<TableEntity> QuestionRowAsync(DateTimeOffset at, string answerId, string question, string reason, CancellationToken cancellationToken)
    {
        var vector = await embeddings.GenerateVectorAsync(question, cancellationToken: cancellationToken);
        return new TableEntity("", InsightsStore.QuestionKey(at, answerId))
        {
            ["Question"] = question,
            ["AskedAt"] = at,
            ["Reason"] = reason,
            ["Vector"] = (byte[])(Array)QuestionGrouping.Quantise(vector.Span),
        };
    }

    /// <summary>Counter property names (also the summary's fields).</summary>
    public static class Counters
    {
        public const string Messages = "Messages";
        public const string Answered = "Answered";
        public const string Fallbacks = "Fallbacks";
        public const string Handoffs = "Handoffs";
        public const string Escalations = "Escalations";
        public const string Helpful = "Helpful";
        public const string Unhelpful = "Unhelpful";
    }
}
