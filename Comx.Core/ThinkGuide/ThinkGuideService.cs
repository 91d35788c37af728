using Comx.Core.Accessibility;
using Comx.Core.Http;
using Comx.Core.Events;
using Comx.Core.Safeguarding;
using Comx.Core.Storage;

namespace Comx.Core.ThinkGuide;

/// <summary>
/// ThinkGuide sessions end to end. Learner text (the question and every response) is checked by safeguarding first,
/// exactly as chat messages are: a blocked term is 403 with the organisation's message and nothing is stored; an
/// escalation flags the session, raises <c>safeguarding.alert</c> and answers with the organisation's escalation
/// message without moving the session on. Stored text is PII-redacted when the policy says so, and prompts are built
/// from the stored text. A step is committed only if the session is unchanged since it was read (ETag), so of two
/// concurrent answers to one prompt exactly one moves the session on; the other gets 409.
/// </summary>
public sealed class ThinkGuideService(
    ThinkGuideStore store,
    SafeguardingPolicyStore policies,
    LearnerAccessibilityStore learners,
    EventStore events,
    ThinkGuidePromptWriter writer,
    IdGenerator ids,
    TimeProvider time)
{
    public async Task<ApiResult> StartAsync(OrgCaller caller, StartSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var policyTask = policies.GetAsync(caller.OrgId, cancellationToken);
        var learnerTask = learners.GetAsync(caller.OrgId, request.LearnerId, cancellationToken);
        await Task.WhenAll(policyTask, learnerTask);
        var policy = await policyTask;
        var verdict = SafeguardingMatcher.Check(policy, request.Question + "\n" + request.Subject);
        if (verdict is SafeguardingVerdict.Blocked)
        {
            return Blocked(policy);
        }

        var question = Redact(policy, ThinkGuideEngine.Normalise(request.Question));
        var subject = request.Subject is null ? null : Redact(policy, ThinkGuideEngine.Normalise(request.Subject));
        var sessionId = ids.New("tgs");
        var now = time.GetUtcNow();
        WrittenPrompt prompt;
        if (verdict is SafeguardingVerdict.Escalated escalated)
        {
            await RaiseAlertAsync(caller.OrgId, sessionId, request.LearnerId, "question", escalated, question, policy, now, cancellationToken);
            prompt = new WrittenPrompt(policy.EscalationMessage, PromptSource.Safeguarding);
        }
        else
        {
            var state = new ThinkGuideState(question, subject, (await learnerTask).ReadingLevel, ThinkGuideStage.Understand, []);
            prompt = await writer.WriteAsync(state, ThinkGuideEngine.Prompt(state), cancellationToken);
        }

        var session = new ThinkGuideSession(sessionId, caller.OrgId, request.LearnerId, question, subject, ThinkGuideStage.Understand, 0,
            prompt.Text, prompt.Source, now, false, null, verdict is SafeguardingVerdict.Escalated, [], now, caller.Stamp, now, caller.Stamp);
        await store.CreateAsync(session, cancellationToken);
        return ApiResult.Created(ThinkGuideTurn.Of(session, null));
    }

    public async Task<ApiResult> StepAsync(OrgCaller caller, string sessionId, StepRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var policyTask = policies.GetAsync(caller.OrgId, cancellationToken);
        var read = await store.GetAsync(caller.OrgId, sessionId, cancellationToken);
        if (read is not { } found)
        {
            return ApiError.NotFound("ThinkGuide session");
        }

        var (session, etag) = found;

        var answering = request.StepIndex ?? session.StepIndex;
        var learnerTask = learners.GetAsync(caller.OrgId, session.LearnerId, cancellationToken);
        await Task.WhenAll(policyTask, learnerTask);
        if (Stale(session, answering) is { } stale)
        {
            return stale;
        }

        var policy = await policyTask;
        var verdict = SafeguardingMatcher.Check(policy, request.Response);
        if (verdict is SafeguardingVerdict.Blocked)
        {
            return Blocked(policy);
        }

        var response = Redact(policy, ThinkGuideEngine.Normalise(request.Response));
        var now = time.GetUtcNow();
        if (verdict is SafeguardingVerdict.Escalated escalated)
        {
            // Raised before the session is written: a crash in between re-raises it on retry (same event id), never loses it.
            await RaiseAlertAsync(caller.OrgId, sessionId, session.LearnerId, answering.ToString(System.Globalization.CultureInfo.InvariantCulture),
                escalated, response, policy, now, cancellationToken);
        }

        var level = (await learnerTask).ReadingLevel;
        var state = new ThinkGuideState(session.Question, session.Subject, level, session.Stage, session.Responses);
        ThinkGuideSession next;
        RePromptReason? reason;
        if (verdict is SafeguardingVerdict.Escalated)
        {
            reason = RePromptReason.Safeguarding;
            next = session with { Prompt = policy.EscalationMessage, PromptSource = PromptSource.Safeguarding, SafeguardingFlag = true };
        }
        else
        {
            switch (ThinkGuideEngine.Respond(state, response))
            {
                case ThinkGuideDecision.RePrompt rePrompt:
                    reason = rePrompt.Reason;
                    next = session with { Prompt = rePrompt.Prompt, PromptSource = PromptSource.Engine };
                    break;
                case ThinkGuideDecision.Advance advance:
                    reason = null;
                    var prompt = await writer.WriteAsync(state with { Stage = advance.Next, Responses = advance.Responses }, advance.Prompt, cancellationToken);
                    next = session with
                    {
                        Stage = advance.Next,
                        Prompt = prompt.Text,
                        PromptSource = prompt.Source,
                        Responses = advance.Responses,
                        Completed = advance.Next == ThinkGuideStage.Summary,
                        Summary = advance.Summary,
                    };
                    break;
                default:
                    throw new InvalidOperationException("Unknown ThinkGuide decision.");
            }
        }

        next = next with { StepIndex = session.StepIndex + 1, PromptedAt = now, UpdatedAt = now, UpdatedBy = caller.Stamp };
        var answered = new ThinkGuideStep(session.StepIndex, session.Stage, session.Prompt, session.PromptSource, response, reason is not null, reason,
            session.PromptedAt, now);
        if (await store.TryAnswerAsync(next, etag, answered, cancellationToken))
        {
            return ApiResult.Ok(ThinkGuideTurn.Of(next, reason));
        }

        // Lost the race: every write answers the current step, so the session read first has moved on.
        var current = await store.GetAsync(caller.OrgId, sessionId, cancellationToken);
        return Stale(current?.Session ?? session, answering) ?? throw new InvalidOperationException($"ThinkGuide session {sessionId} changed without a new step.");
    }

    public async Task<ApiResult> GetAsync(string orgId, string sessionId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(orgId, sessionId, cancellationToken) is not { Session: var session })
        {
            return ApiError.NotFound("ThinkGuide session");
        }

        var steps = await store.ListStepsAsync(orgId, sessionId, cancellationToken);
        var pending = new ThinkGuideStep(session.StepIndex, session.Stage, session.Prompt, session.PromptSource, null, false, null, session.PromptedAt, null);
        return ApiResult.Ok(ThinkGuideSessionBody.Of(session, [.. steps, pending]));
    }

    /// <summary>409 when the step being answered is not the current one, or the session is complete.</summary>
    private static ApiError? Stale(ThinkGuideSession session, int answering)
    {
        if (session.Completed)
        {
            return new ApiError(ErrorCode.IdempotencyConflict, "This ThinkGuide session is complete. Start a new session for a new question.",
                new Dictionary<string, object?> { ["reason"] = "session_completed", ["step_index"] = session.StepIndex });
        }

        return answering == session.StepIndex ? null : new ApiError(ErrorCode.IdempotencyConflict,
            $"Step {answering} was already answered; the session is at step {session.StepIndex}. Read the session and answer its current prompt.",
            new Dictionary<string, object?> { ["reason"] = "step_already_answered", ["step_index"] = session.StepIndex, ["stage"] = session.Stage });
    }

    private static ApiError Blocked(SafeguardingPolicy policy) =>
        new(ErrorCode.PolicyBlock, policy.BlockMessage, new Dictionary<string, object?> { ["reason"] = "blocked_term" });

    private static string Redact(SafeguardingPolicy policy, string text) => policy.RedactPii ? PiiRedactor.Redact(text) : text;

    private async Task RaiseAlertAsync(string orgId, string sessionId, string learnerId, string at, SafeguardingVerdict.Escalated verdict, string message,
        SafeguardingPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var eventId = "evt_" + StorageKeys.Hash($"thinkguide|{sessionId}|{at}");
        await events.AddAsync(orgId, [EventRecord.Create(eventId, now, new SafeguardingAlertData(null, sessionId, SafeguardingSources.ThinkGuide, learnerId,
            System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(verdict.Category.ToString()),
            verdict.Category == SafeguardingCategory.Custom ? "org_term" : "lexicon", message,
            policy.Contact is { } contact ? new SafeguardingAlertContact(contact.Name, contact.Email) : null))], cancellationToken);
    }
}
