using Comx.Core.Accessibility;
using Comx.Core.Http;
using Comx.Core.Events;
using Comx.Core.Safeguarding;
using Comx.Core.Storage;

namespace Comx.Core.ThinkGuide;

/// <summary>
/// ThinkGuide sessions end to end. Learner text (the question and every response) is checked by safeguarding first,
/// exactly as chat messages are: a blocked term is refused with the organisation's message and nothing is stored; an
/// escalation flags the session, raises <c>safeguarding.alert</c> and answers with the organisation's escalation
/// message without moving the session on. Stored text is PII-redacted when the policy says so, and prompts are built
/// from the stored text. A step is committed only if the session is unchanged since it was read (ETag), so of two
/// concurrent answers to one prompt exactly one moves the session on; the other is refused. Outcomes are values
/// (<see cref="ThinkGuideOutcome{T}"/>); <see cref="ThinkGuideEndpoints"/> maps them to HTTP.
/// </summary>
public sealed class ThinkGuideService(
    ThinkGuideStore store,
    SafeguardingPolicyStore policies,
    SafeguardingDetector detector,
    SafeguardingReach reach,
    LearnerAccessibilityStore learners,
    EventStore events,
    ThinkGuidePromptWriter writer,
    IdGenerator ids,
    TimeProvider time)
{
    public async Task<ThinkGuideOutcome<ThinkGuideTurn>> StartAsync(OrgCaller caller, StartSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var policyTask = policies.GetAsync(caller.OrgId, cancellationToken);
        var learnerTask = learners.GetAsync(caller.OrgId, request.LearnerId, cancellationToken);
        await Task.WhenAll(policyTask, learnerTask);
        var policy = await policyTask;
        var verdict = await detector.CheckAsync(policy, request.Question + "\n" + request.Subject, cancellationToken);
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
            await RaiseAlertAsync(caller.OrgId, sessionId, request.LearnerId, "question", escalated, policy, now, cancellationToken);
            prompt = new WrittenPrompt(SafeguardingReply.Compose(policy, await reach.SomeoneIsToldAsync(caller.OrgId, policy, cancellationToken)), PromptSource.Safeguarding);
        }
        else
        {
            var state = new ThinkGuideState(question, subject, (await learnerTask).ReadingLevel, ThinkGuideStage.Understand, []);
            prompt = await writer.WriteAsync(state, ThinkGuideEngine.Prompt(state), cancellationToken);
        }

        var session = new ThinkGuideSession(sessionId, caller.OrgId, request.LearnerId, question, subject, ThinkGuideStage.Understand, 0,
            prompt.Text, prompt.Source, now, false, null, verdict is SafeguardingVerdict.Escalated, [], now, caller.Stamp, now, caller.Stamp);
        await store.CreateAsync(session, cancellationToken);
        return ThinkGuideOutcome.Of(ThinkGuideTurn.Of(session, null));
    }

    public async Task<ThinkGuideOutcome<ThinkGuideTurn>> StepAsync(OrgCaller caller, string sessionId, StepRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var policyTask = policies.GetAsync(caller.OrgId, cancellationToken);
        var read = await store.GetAsync(caller.OrgId, sessionId, cancellationToken);
        if (read is not { } found)
        {
            return ThinkGuideOutcome.Refused<ThinkGuideTurn>(ThinkGuideRefusal.NotFound);
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
        var verdict = await detector.CheckAsync(policy, request.Response, cancellationToken);
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
                escalated, policy, now, cancellationToken);
        }

        var level = (await learnerTask).ReadingLevel;
        var state = new ThinkGuideState(session.Question, session.Subject, level, session.Stage, session.Responses);
        ThinkGuideSession next;
        RePromptReason? reason;
        if (verdict is SafeguardingVerdict.Escalated)
        {
            reason = RePromptReason.Safeguarding;
            var reply = SafeguardingReply.Compose(policy, await reach.SomeoneIsToldAsync(caller.OrgId, policy, cancellationToken));
            next = session with { Prompt = reply, PromptSource = PromptSource.Safeguarding, SafeguardingFlag = true };
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
            return ThinkGuideOutcome.Of(ThinkGuideTurn.Of(next, reason));
        }

        // Lost the race: every write answers the current step, so the session read first has moved on.
        var current = await store.GetAsync(caller.OrgId, sessionId, cancellationToken);
        return Stale(current?.Session ?? session, answering) ?? throw new InvalidOperationException($"ThinkGuide session {sessionId} changed without a new step.");
    }

    public async Task<ThinkGuideOutcome<ThinkGuideSessionBody>> GetAsync(string orgId, string sessionId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(orgId, sessionId, cancellationToken) is not { Session: var session })
        {
            return ThinkGuideOutcome.Refused<ThinkGuideSessionBody>(ThinkGuideRefusal.NotFound);
        }

        var steps = await store.ListStepsAsync(orgId, sessionId, cancellationToken);
        var pending = new ThinkGuideStep(session.StepIndex, session.Stage, session.Prompt, session.PromptSource, null, false, null, session.PromptedAt, null);
        return ThinkGuideOutcome.Of(ThinkGuideSessionBody.Of(session, [.. steps, pending]));
    }

    /// <summary>Refused when the step being answered is not the current one, or the session is complete.</summary>
    private static ThinkGuideOutcome<ThinkGuideTurn>? Stale(ThinkGuideSession session, int answering)
    {
        if (session.Completed)
        {
            return ThinkGuideOutcome.Refused<ThinkGuideTurn>(ThinkGuideRefusal.SessionCompleted) with { Current = session };
        }

        return answering == session.StepIndex ? null
            : ThinkGuideOutcome.Refused<ThinkGuideTurn>(ThinkGuideRefusal.StepAlreadyAnswered) with { Current = session, Answering = answering };
    }

    private static ThinkGuideOutcome<ThinkGuideTurn> Blocked(SafeguardingPolicy policy) =>
        ThinkGuideOutcome.Refused<ThinkGuideTurn>(ThinkGuideRefusal.Blocked) with { BlockMessage = policy.BlockMessage };

    private static string Redact(SafeguardingPolicy policy, string text) => policy.RedactPii ? PiiRedactor.Redact(text) : text;

    private async Task RaiseAlertAsync(string orgId, string sessionId, string learnerId, string at, SafeguardingVerdict.Escalated verdict,
        SafeguardingPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var eventId = "evt_" + StorageKeys.Hash($"thinkguide|{sessionId}|{at}");
        await events.AddAsync(orgId, [EventRecord.Create(eventId, now, SafeguardingAlerts.FromThinkGuide(sessionId, learnerId, at, verdict, policy))],
            cancellationToken);
    }
}

/// <summary>Why a ThinkGuide operation did not happen.</summary>
public enum ThinkGuideRefusal
{
    NotFound,
    Blocked,
    SessionCompleted,
    StepAlreadyAnswered,
}

/// <summary>
/// What a ThinkGuide operation came to: its value, or its refusal with what explains it (the policy's block message; the
/// session as it now stands and the step the caller tried to answer).
/// </summary>
public sealed record ThinkGuideOutcome<T>(T? Value, ThinkGuideRefusal? Refusal) where T : class
{
    public string? BlockMessage { get; init; }

    public ThinkGuideSession? Current { get; init; }

    public int? Answering { get; init; }
}

/// <summary>Makes <see cref="ThinkGuideOutcome{T}"/>s.</summary>
public static class ThinkGuideOutcome
{
    public static ThinkGuideOutcome<T> Of<T>(T value) where T : class => new(value, null);

    public static ThinkGuideOutcome<T> Refused<T>(ThinkGuideRefusal refusal) where T : class => new(null, refusal);
}
