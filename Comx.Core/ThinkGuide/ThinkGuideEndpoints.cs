using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.ThinkGuide;

public sealed record StartSessionRequest(string LearnerId, string Question, string? Subject = null) : IValidatable
{
    public const int MaxQuestionLength = 1000;
    public const int MaxSubjectLength = 100;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(LearnerId) || LearnerId.Length > 100 || !StorageKeys.IsSafeKey(LearnerId))
        {
            yield return new FieldError("learner_id", "learner_id is up to 100 letters, digits, '_', '-', '.' or ':'.");
        }

        if (string.IsNullOrWhiteSpace(Question) || Question.Length > MaxQuestionLength)
        {
            yield return new FieldError("question", $"question is 1 to {MaxQuestionLength} characters.");
        }

        if (Subject is { } subject && (string.IsNullOrWhiteSpace(subject) || subject.Length > MaxSubjectLength))
        {
            yield return new FieldError("subject", $"subject is 1 to {MaxSubjectLength} characters.");
        }
    }
}

/// <summary>
/// A learner's response to the current prompt. <c>step_index</c>, when given, is the step being answered: if the
/// session has moved past it the request is 409 rather than being taken as an answer to a prompt the learner never saw.
/// An empty response is allowed (it gets a re-prompt).
/// </summary>
public sealed record StepRequest(string Response, int? StepIndex = null) : IValidatable
{
    public const int MaxResponseLength = 2000;

    public IEnumerable<FieldError> Validate()
    {
        if (Response.Length > MaxResponseLength)
        {
            yield return new FieldError("response", $"response is at most {MaxResponseLength} characters.");
        }

        if (StepIndex is < 0)
        {
            yield return new FieldError("step_index", "step_index is the current step's index (0 or more).");
        }
    }
}

/// <summary>The session after a start or a step: its current prompt and where it stands.</summary>
public sealed record ThinkGuideTurn(
    string SessionId,
    ThinkGuideStage Stage,
    string Prompt,
    int StepIndex,
    bool Completed,
    string? Summary,
    bool RePrompted,
    RePromptReason? RePromptReason,
    bool SafeguardingFlag)
{
    internal static ThinkGuideTurn Of(ThinkGuideSession session, RePromptReason? reason) =>
        new(session.SessionId, session.Stage, session.Prompt, session.StepIndex, session.Completed, session.Summary, reason is not null, reason,
            session.SafeguardingFlag);
}

/// <summary>A session with every step: the answered ones, then the current prompt (its response null).</summary>
public sealed record ThinkGuideSessionBody(
    string SessionId,
    string LearnerId,
    string Question,
    string? Subject,
    ThinkGuideStage Stage,
    int StepIndex,
    string Prompt,
    bool Completed,
    string? Summary,
    bool SafeguardingFlag,
    IReadOnlyList<string> Responses,
    IReadOnlyList<ThinkGuideStep> Steps,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    string UpdatedBy)
{
    internal static ThinkGuideSessionBody Of(ThinkGuideSession s, IReadOnlyList<ThinkGuideStep> steps) =>
        new(s.SessionId, s.LearnerId, s.Question, s.Subject, s.Stage, s.StepIndex, s.Prompt, s.Completed, s.Summary, s.SafeguardingFlag, s.Responses,
            steps, s.CreatedAt, s.CreatedBy, s.UpdatedAt, s.UpdatedBy);
}

/// <summary>What the ThinkGuide handlers need, given to them explicitly.</summary>
public sealed record ThinkGuideServices(ThinkGuideService Guide);

/// <summary>
/// ThinkGuide: guided-thinking sessions that walk a learner through their own question (<see cref="ThinkGuideEngine"/>)
/// instead of answering it.
/// </summary>
internal static class ThinkGuideEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.StartThinkGuideSession, "POST", Http.Routes.ThinkGuideSessions, RouteAuth.Org, EndpointServices.With<ThinkGuideServices>(StartAsync))
        {
            RequestType = typeof(StartSessionRequest), ResponseType = typeof(ThinkGuideTurn), SuccessStatus = 201,
            Summary = "Starts a guided-thinking session for a learner's question; the first prompt asks what the question is asking. " +
                "The learner's stored reading level shapes the wording. Safeguarding applies to the question as to chat messages.",
        },
        new(RouteNames.AnswerThinkGuideStep, "POST", Http.Routes.ThinkGuideStep, RouteAuth.Org, EndpointServices.With<ThinkGuideServices>(StepAsync))
        {
            RequestType = typeof(StepRequest), ResponseType = typeof(ThinkGuideTurn),
            Summary = "Answers the current prompt. Stages: understand, what_you_know, plan, try, check, reflect, then summary (completed). " +
                "An empty, too short, stuck or off-topic response is re-prompted at the same stage (re_prompted true); every response " +
                "increments step_index. A blocked term is 403 COMX_POLICY_BLOCK; an escalation term flags the session and the prompt is the " +
                "organisation's escalation message. If the step was already answered (a concurrent request won, or step_index is stale) " +
                "or the session is complete: 409 COMX_IDEMPOTENCY_CONFLICT, not retryable, details.step_index the current step: read the " +
                "session and answer its current prompt. Retry a lost response with the same Idempotency-Key to get the stored result.",
        },
        new(RouteNames.GetThinkGuideSession, "GET", Http.Routes.ThinkGuideSession, RouteAuth.Org, EndpointServices.With<ThinkGuideServices>(GetAsync))
        {
            ResponseType = typeof(ThinkGuideSessionBody),
            Summary = "A session with every step (prompt, response, stage, re_prompted), the current prompt last with a null response.",
        },
    ];

    private static async Task<ApiResult> StartAsync(ThinkGuideServices services, RequestContext context, CancellationToken cancellationToken) =>
        Map(await services.Guide.StartAsync(context.Org, context.BodyAs<StartSessionRequest>(), cancellationToken), ApiResult.Created);

    private static async Task<ApiResult> StepAsync(ThinkGuideServices services, RequestContext context, CancellationToken cancellationToken) =>
        Map(await services.Guide.StepAsync(context.Org, context.Value("sessionId"), context.BodyAs<StepRequest>(), cancellationToken), ApiResult.Ok);

    private static async Task<ApiResult> GetAsync(ThinkGuideServices services, RequestContext context, CancellationToken cancellationToken) =>
        Map(await services.Guide.GetAsync(context.Org.OrgId, context.Value("sessionId"), cancellationToken), ApiResult.Ok);

    private static ApiResult Map<T>(ThinkGuideOutcome<T> outcome, Func<T, ApiResult> success) where T : class => outcome switch
    {
        { Value: { } value } => success(value),
        { Refusal: ThinkGuideRefusal.NotFound } => ApiError.NotFound("ThinkGuide session"),
        { Refusal: ThinkGuideRefusal.Blocked, BlockMessage: { } message } =>
            new ApiError(ErrorCode.PolicyBlock, message, new Dictionary<string, object?> { ["reason"] = "blocked_term" }),
        { Refusal: ThinkGuideRefusal.SessionCompleted, Current: { } session } =>
            new ApiError(ErrorCode.IdempotencyConflict, "This ThinkGuide session is complete. Start a new session for a new question.",
                new Dictionary<string, object?> { ["reason"] = "session_completed", ["step_index"] = session.StepIndex }),
        { Refusal: ThinkGuideRefusal.StepAlreadyAnswered, Current: { } session, Answering: { } answering } =>
            new ApiError(ErrorCode.IdempotencyConflict,
                $"Step {answering} was already answered; the session is at step {session.StepIndex}. Read the session and answer its current prompt.",
                new Dictionary<string, object?> { ["reason"] = "step_already_answered", ["step_index"] = session.StepIndex, ["stage"] = session.Stage }),
        _ => throw new InvalidOperationException($"Unmapped ThinkGuide outcome {outcome.Refusal}."),
    };
}
