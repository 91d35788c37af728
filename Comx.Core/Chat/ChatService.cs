using Comx.Core.Accessibility;
using Comx.Core.Billing;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Inbox;
using Comx.Core.Knowledge.Retrieval;
using Comx.Core.Safeguarding;
using Microsoft.AspNetCore.Http;

namespace Comx.Core.Chat;

/// <summary>
/// One visitor message, end to end. The reads it needs run in parallel (widget, org, policy, learner, thread, usage);
/// safeguarding decides first (blocked: 403 with the org's message, nothing stored; escalated: the org's signposting
/// message, the thread flagged and safeguarding.alert raised); a thread a person has taken over gets no bot answer;
/// otherwise the plan's monthly limit is checked, the org's index searched, an answer generated and stored, and the
/// visitor message, bot message and chat.message_answered event are committed in one transaction.
/// </summary>
public sealed class ChatService(
    WidgetSettingsStore widgets,
    OrgDirectory directory,
    SafeguardingPolicyStore policies,
    LearnerAccessibilityStore learners,
    ConversationStore conversations,
    UsageCounter usage,
    RetrievalIndexStore indexes,
    IAnswerGenerator generator,
    AnswerStore answers,
    IdGenerator ids,
    TimeProvider time)
{
    public async Task<ApiResult> SendAsync(ChatSession session, string message, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var orgId = session.OrgId;
        // Organisation, widget and policy rarely change: read through the per-instance cache (ReadCache).
        var widgetTask = widgets.GetRecentAsync(orgId, cancellationToken);
        var orgTask = directory.GetRecentAsync(orgId, cancellationToken);
        var policyTask = policies.GetRecentAsync(orgId, cancellationToken);
        var learnerTask = session.LearnerId is { } learnerId ? learners.GetAsync(orgId, learnerId, cancellationToken) : Task.FromResult(new LearnerAccessibility());
        var threadTask = conversations.ReadThreadAsync(orgId, session.ThreadId, cancellationToken);
        await Task.WhenAll(widgetTask, orgTask, policyTask, learnerTask, threadTask);

        if (await orgTask is not { Status: RecordStatus.Active } org || await widgetTask is not { } widget)
        {
            return ApiError.Unauthenticated("This chat session's organisation no longer exists.");
        }

        if (PublicAccess.CheckOrigin(request, widget) is { } refused)
        {
            return refused;
        }

        var policy = await policyTask;
        var verdict = SafeguardingMatcher.Check(policy, message);
        if (verdict is SafeguardingVerdict.Blocked)
        {
            return new ApiError(ErrorCode.PolicyBlock, policy.BlockMessage, new Dictionary<string, object?> { ["reason"] = "blocked_term" });
        }

        var stored = policy.RedactPii ? PiiRedactor.Redact(message) : message;
        var snapshot = await threadTask; // handed to the thread write below, which then does not read the thread again
        var thread = snapshot.Thread;
        var now = time.GetUtcNow();
        if (verdict is SafeguardingVerdict.Escalated escalated)
        {
            return await EscalateAsync(session, stored, escalated, policy, now, cancellationToken);
        }

        if (thread?.Status == ThreadStatus.Handoff)
        {
            var written = await conversations.WriteAsync(orgId, session.ThreadId, _ => new ThreadWrite([new NewMessage(MessageRole.Visitor, stored)], null, []),
                session.SessionId, snapshot, cancellationToken);
            return ApiResult.Ok(new SendMessageResponse(written!.Value.Messages[0].MessageId, null, true, new SafeguardingOutcome(false)));
        }

        if (await usage.ConsumeMessageAsync(orgId, org.Billing, cancellationToken) is { } limited)
        {
            return limited;
        }

        var level = (await learnerTask).ReadingLevel;
        var index = await indexes.GetRecentAsync(orgId, cancellationToken);
        var hits = index.Search(message, ChatEndpoints.RetrievedPassages);
        var outcome = await generator.GenerateAsync(new AnswerRequest(message, hits, level), cancellationToken);
        if (outcome is AnswerOutcome.ProviderUnavailable unavailable)
        {
            await usage.ReleaseMessageAsync(orgId, cancellationToken);
            return ApiError.ProviderUnavailable(unavailable.Reason);
        }

        var answer = ((AnswerOutcome.Answered)outcome).Answer;
        var answerId = ids.New("ans");
        await answers.AddAsync(new StoredAnswer(answerId, orgId, stored, answer.Text, answer.Citations, answer.Confidence, answer.Fallback, now), cancellationToken);
        var eventId = ids.New("evt");
        var result = await conversations.WriteAsync(orgId, session.ThreadId, current => new ThreadWrite(
            [new NewMessage(MessageRole.Visitor, stored), new NewMessage(MessageRole.Bot, answer.Text, answerId)],
            current.Status == ThreadStatus.Resolved ? new ThreadChange(Status: ThreadStatus.Open) : null,
            [new OutboxEvent(eventId, EventTypes.ChatMessageAnswered, now, new
            {
                thread_id = session.ThreadId,
                session_id = session.SessionId,
                answer_id = answerId,
                question = stored,
                answer = answer.Text,
                confidence = answer.Confidence,
                fallback = answer.Fallback,
                citations = answer.Citations,
            })]), session.SessionId, snapshot, cancellationToken);
        var visitorMessage = result!.Value.Messages[0];
        return ApiResult.Ok(new SendMessageResponse(visitorMessage.MessageId,
            new AnswerBody(answerId, answer.Text, answer.Citations, answer.Confidence, answer.Fallback), false, new SafeguardingOutcome(false)));
    }

    private async Task<ApiResult> EscalateAsync(ChatSession session, string stored, SafeguardingVerdict.Escalated verdict, SafeguardingPolicy policy, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var answerId = ids.New("ans");
        await answers.AddAsync(new StoredAnswer(answerId, session.OrgId, stored, policy.EscalationMessage, [], 1, false, now), cancellationToken);
        var result = await conversations.WriteAsync(session.OrgId, session.ThreadId, _ => new ThreadWrite(
            [new NewMessage(MessageRole.Visitor, stored), new NewMessage(MessageRole.Bot, policy.EscalationMessage, answerId)],
            new ThreadChange(SafeguardingFlag: true),
            [new OutboxEvent(ids.New("evt"), EventTypes.SafeguardingAlert, now, new
            {
                thread_id = session.ThreadId,
                session_id = session.SessionId,
                category = verdict.Category,
                message = stored,
                contact = policy.Contact,
            })]), session.SessionId, cancellationToken);
        return ApiResult.Ok(new SendMessageResponse(result!.Value.Messages[0].MessageId,
            new AnswerBody(answerId, policy.EscalationMessage, [], 1, false), false, new SafeguardingOutcome(true)));
    }
}
