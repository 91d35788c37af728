using Comx.Core.Chat;
using Comx.Core.Inbox;

namespace Comx.Core.DataProtection;

/// <summary>
/// Removes one conversation whole: the answers given in it (they hold the question), its messages, listing rows and
/// thread, then its chat session row. The answers go first because the messages are the only way to find them; the
/// session row goes last because it is the erasure's way back to the thread. Each part tolerates a previous partial run.
/// </summary>
public sealed class ConversationEraser(ConversationStore conversations, AnswerStore answers, ChatSessionStore chatSessions)
{
    private const int MaxMessagesPerThread = 100_000;

    public async Task<Dictionary<string, int>> EraseAsync(string orgId, string threadId, string? sessionId, CancellationToken cancellationToken = default)
    {
        var messages = await conversations.ListMessagesAsync(orgId, threadId, null, MaxMessagesPerThread, cancellationToken);
        // Answers are one row per partition, so no batch can take them: delete them side by side instead.
        var answerCount = 0;
        await Parallel.ForEachAsync(messages.Select(m => m.AnswerId).OfType<string>().Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (answerId, ct) =>
            {
                if (await answers.DeleteAsync(answerId, ct))
                {
                    Interlocked.Increment(ref answerCount);
                }
            });

        var messageRows = await conversations.DeleteThreadAsync(orgId, threadId, cancellationToken);
        var sessionRows = sessionId is not null && await chatSessions.GetAsync(sessionId, cancellationToken) is { } session && session.OrgId == orgId
            && await chatSessions.DeleteAsync(sessionId, cancellationToken) ? 1 : 0;
        return new Dictionary<string, int>
        {
            ["conversations"] = 1,
            ["messages"] = messageRows,
            ["answers"] = answerCount,
            ["chat_sessions"] = sessionRows,
        };
    }
}
