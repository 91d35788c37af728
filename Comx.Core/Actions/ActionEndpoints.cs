using System.Text.Json;
using Comx.Core.Deliveries;
using Comx.Core.Http;
using Comx.Core.Inbox;
using Comx.Core.Network;
using Comx.Core.Storage;
using Microsoft.Extensions.Options;

namespace Comx.Core.Actions;

public sealed record CreateProposalRequest(string ActionType, string TargetUrl, JsonElement Payload, string Summary, string? ThreadId = null) : IValidatable
{
    public const int MaxPayloadChars = 16 * 1024;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(ActionType) || ActionType.Length > 64 || !ActionType.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.' or '-'))
        {
            yield return new FieldError("action_type", "action_type is 1 to 64 lowercase letters, digits, '_', '.' or '-' (such as create_ticket).");
        }

        if (string.IsNullOrWhiteSpace(TargetUrl))
        {
            yield return new FieldError("target_url", "target_url is an absolute http or https URL.");
        }

        if (Payload.ValueKind != JsonValueKind.Object)
        {
            yield return new FieldError("payload", "payload is a JSON object.");
        }
        else if (Payload.GetRawText().Length > MaxPayloadChars)
        {
            yield return new FieldError("payload", $"payload is at most {MaxPayloadChars / 1024} KB of JSON.");
        }

        if (string.IsNullOrWhiteSpace(Summary) || Summary.Length > 1000)
        {
            yield return new FieldError("summary", "summary is 1 to 1000 characters.");
        }

        if (ThreadId is not null && !StorageKeys.IsSafeKey(ThreadId))
        {
            yield return new FieldError("thread_id", "thread_id is a thread id (thr_…).");
        }
    }
}

public sealed record ProposalResponse(string ProposalId, string ActionType, string TargetUrl, JsonElement Payload, string Summary, string? ThreadId, ProposalStatus Status,
    DateTimeOffset CreatedAt, string CreatedBy, string? ApprovedBy, DateTimeOffset? ApprovedAt, string? ExecutedBy, DateTimeOffset? ExecutedAt, string? DeliveryId,
    DateTimeOffset? FinishedAt, string? Error, IReadOnlyList<DeliveryAttempt> Attempts)
{
    public static ProposalResponse From(ActionProposal p, IReadOnlyList<DeliveryAttempt> attempts) => new(p.ProposalId, p.ActionType, p.TargetUrl,
        JsonSerializer.Deserialize<JsonElement>(p.PayloadJson), p.Summary, p.ThreadId, p.Status, p.CreatedAt, p.CreatedBy, p.ApprovedBy, p.ApprovedAt, p.ExecutedBy,
        p.ExecutedAt, p.DeliveryId, p.FinishedAt, p.Error, attempts);
}

public sealed record ApprovalResponse(string ProposalId, ProposalStatus Status, string ApprovedBy, DateTimeOffset ApprovedAt);

public sealed record ExecutionResponse(string ProposalId, ProposalStatus Status, string DeliveryId);

public sealed record ActionSecretResponse(string SigningSecret, DateTimeOffset CreatedAt, string SignatureHeader);

/// <summary>
/// Approved actions. A proposal is approved once by an admin, then executed once: execution is a delivery on the
/// webhook-deliveries queue to the target URL, signed with the organisation's action secret; its outcome moves the
/// proposal to succeeded or failed and raises action.executed or action.failed.
/// </summary>
internal static class ActionEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.CreateActionProposal, "POST", Http.Routes.ActionProposals, RouteAuth.Org, CreateAsync)
        {
            RequestType = typeof(CreateProposalRequest), ResponseType = typeof(ProposalResponse), SuccessStatus = 201,
            Summary = "Proposes an action: a signed POST of payload to target_url, made only after an admin approves it and someone executes it.",
        },
        new(RouteNames.GetActionProposal, "GET", Http.Routes.Action, RouteAuth.Org, GetAsync)
        { ResponseType = typeof(ProposalResponse), Summary = "A proposal with its status and its delivery attempts." },
        new(RouteNames.ApproveAction, "POST", Http.Routes.ActionApprove, RouteAuth.OrgAdmin, ApproveAsync)
        {
            ResponseType = typeof(ApprovalResponse),
            Summary = "Approves a proposed action, once: approving again (or approving one that is not proposed) is 409 COMX_IDEMPOTENCY_CONFLICT with details.status.",
        },
        new(RouteNames.ExecuteAction, "POST", Http.Routes.ActionExecute, RouteAuth.Org, ExecuteAsync)
        {
            ResponseType = typeof(ExecutionResponse), SuccessStatus = 202,
            Summary = "Executes an approved action, once: queued as a signed delivery. Executing again returns the same delivery_id and sends nothing; before approval it is 409.",
        },
        new(RouteNames.GetActionSigningSecret, "GET", Http.Routes.ActionSigningSecret, RouteAuth.OrgAdmin, SecretAsync)
        {
            ResponseType = typeof(ActionSecretResponse),
            Summary = "The organisation's action signing secret (created on first use): X-Comx-Signature on action executions is hex HMAC-SHA256 of the raw body keyed with it.",
        },
    ];

    private static async Task<ApiResult> CreateAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<CreateProposalRequest>();
        var caller = context.Org;
        var url = request.TargetUrl.Trim();
        if (NetworkGuard.ValidateTargetUrl(url, "target_url", context.Service<IOptions<NetworkOptions>>().Value.AllowPrivateTargets) is { } invalid)
        {
            return ApiError.Validation([invalid]);
        }

        if (request.ThreadId is { } threadId && await context.Service<ConversationStore>().GetThreadAsync(caller.OrgId, threadId, cancellationToken) is null)
        {
            return ApiError.Validation("thread_id", "No such thread in this organisation.");
        }

        var proposal = await context.Service<ActionStore>().CreateAsync(caller.OrgId, request.ActionType, url, request.Payload, request.Summary.Trim(), request.ThreadId,
            caller.Stamp, cancellationToken);
        return ApiResult.Created(ProposalResponse.From(proposal, []));
    }

    private static async Task<ApiResult> GetAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var orgId = context.Org.OrgId;
        if (await context.Service<ActionStore>().GetAsync(orgId, context.Value("proposalId"), cancellationToken) is not { } proposal)
        {
            return ApiError.NotFound("action proposal");
        }

        IReadOnlyList<DeliveryAttempt> attempts = [];
        if (proposal.DeliveryId is { } deliveryId
            && await context.Service<DeliveryStore>().GetAsync(orgId, DeliveryKind.Action, proposal.ProposalId, deliveryId, cancellationToken) is { } delivery)
        {
            attempts = delivery.Attempts;
        }

        return ApiResult.Ok(ProposalResponse.From(proposal, attempts));
    }

    private static async Task<ApiResult> ApproveAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var (proposal, changed) = await context.Service<ActionStore>().ApproveAsync(context.Org.OrgId, context.Value("proposalId"), context.Org.Stamp, cancellationToken);
        if (proposal is null)
        {
            return ApiError.NotFound("action proposal");
        }

        if (!changed)
        {
            var message = proposal.ApprovedBy is null
                ? $"Only a proposed action can be approved; this one is {Wire(proposal.Status)}."
                : $"This action was already approved by {proposal.ApprovedBy} at {proposal.ApprovedAt:O}; it is {Wire(proposal.Status)}.";
            return StateConflict(message, proposal);
        }

        return ApiResult.Ok(new ApprovalResponse(proposal.ProposalId, proposal.Status, proposal.ApprovedBy!, proposal.ApprovedAt!.Value));
    }

    private static async Task<ApiResult> ExecuteAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var orgId = context.Org.OrgId;
        var actions = context.Service<ActionStore>();
        var deliveries = context.Service<DeliveryStore>();
        var (proposal, _) = await actions.StartExecutionAsync(orgId, context.Value("proposalId"), deliveries.NewDeliveryId(), context.Org.Stamp, cancellationToken);
        if (proposal is null)
        {
            return ApiError.NotFound("action proposal");
        }

        if (proposal.DeliveryId is not { } deliveryId)
        {
            return StateConflict($"Only an approved action can be executed; this one is {Wire(proposal.Status)}. An admin approves it first.", proposal);
        }

        // Whether this call started the execution or a lost race/earlier call did, make sure the delivery exists and is
        // queued: a call that stopped between marking the proposal and queueing is finished here. A duplicate message
        // finds its attempt claimed and sends nothing.
        var (delivery, _) = await deliveries.AddAsync(orgId, DeliveryKind.Action, proposal.ProposalId, deliveryId, proposal.ProposalId, ActionStore.ExecutionEventType,
            proposal.TargetUrl, ActionStore.ExecutionBody(orgId, proposal), cancellationToken: cancellationToken);
        if (delivery is { Status: DeliveryStatus.Pending, AttemptCount: 0 })
        {
            await context.Service<DeliveryScheduler>().SendAttemptAsync(orgId, delivery.Row, 1, cancellationToken: cancellationToken);
        }

        return ApiResult.Accepted(new ExecutionResponse(proposal.ProposalId, proposal.Status, deliveryId));
    }

    private static async Task<ApiResult> SecretAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var (secret, createdAt) = await context.Service<ActionStore>().GetOrCreateSigningSecretAsync(context.Org.OrgId, cancellationToken);
        return ApiResult.Ok(new ActionSecretResponse(secret, createdAt, WebhookSignature.SignatureHeader));
    }

    private static ApiError StateConflict(string message, ActionProposal proposal) => new(ErrorCode.IdempotencyConflict, message, new Dictionary<string, object?>
    {
        ["status"] = Wire(proposal.Status),
        ["approved_by"] = proposal.ApprovedBy,
        ["approved_at"] = proposal.ApprovedAt,
        ["delivery_id"] = proposal.DeliveryId,
    });

    private static string Wire(ProposalStatus status) => status.ToString().ToLowerInvariant();
}
