using Comx.Core.Chat;
using Comx.Core.Inbox;
using Comx.Core.Insights;
using Microsoft.Extensions.Logging;

namespace Comx.Core.DataProtection;

/// <summary>
/// The daily retention job: for every org with a policy, deletes conversations whose last message is older than
/// <c>conversation_days</c> (safeguarding-flagged ones by <c>safeguarding_days</c>) with their messages, answers and
/// chat session, the insights' unanswered questions by the same cutoff, and enquiries older than <c>enquiry_days</c>; records what it removed as the policy's <c>last_run</c>.
/// "Older" is strict: a record exactly at the cutoff stays. Running twice removes nothing more the second time.
/// </summary>
public sealed partial class RetentionService(DataProtectionStore store, ConversationStore conversations, ConversationEraser eraser, EnquiryStore enquiries, InsightsStore insights,
    TimeProvider time,
    ILogger<RetentionService> logger)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        foreach (var policy in await store.ListPoliciesAsync(cancellationToken))
        {
            var run = await ApplyAsync(policy, cancellationToken);
            total += run.RowsRemoved.Values.Sum();
        }

        return total;
    }

    /// <summary>Applies one org's policy now and records the run.</summary>
    public async Task<RetentionRun> ApplyAsync(RetentionPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var now = time.GetUtcNow();
        var orgId = policy.OrgId;
        var conversationCutoff = now.AddDays(-policy.ConversationDays);
        var safeguardingCutoff = now.AddDays(-policy.SafeguardingDays);
        var removed = new Dictionary<string, int> { ["conversations"] = 0, ["messages"] = 0, ["answers"] = 0, ["chat_sessions"] = 0, ["enquiries"] = 0 };

        foreach (var thread in await conversations.ListThreadsInactiveSinceAsync(orgId, conversationCutoff, cancellationToken))
        {
            if (thread.SafeguardingFlag && thread.LastMessageAt >= safeguardingCutoff)
            {
                continue;
            }

            foreach (var (kind, count) in await eraser.EraseAsync(orgId, thread.ThreadId, thread.SessionId, cancellationToken))
            {
                removed[kind] = removed.GetValueOrDefault(kind) + count;
            }
        }

        var enquiryCutoff = now.AddDays(-policy.EnquiryDays);
        removed["enquiries"] = await enquiries.DeleteWhereAsync(orgId, e => e.CreatedAt < enquiryCutoff, cancellationToken);

        // The unanswered-questions list keeps visitors' questions: they age out with the conversations they came from.
        removed["unanswered_questions"] = await insights.DeleteOlderThanAsync(orgId, conversationCutoff, cancellationToken);

        var run = new RetentionRun(now, removed);
        await store.RecordRunAsync(orgId, run, cancellationToken);
        LogApplied(logger, orgId, removed["conversations"], removed["messages"], removed["enquiries"]);
        return run;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention for org {OrgId}: removed {Conversations} conversations ({Messages} messages) and {Enquiries} enquiries.")]
    private static partial void LogApplied(ILogger logger, string orgId, int conversations, int messages, int enquiries);
}
