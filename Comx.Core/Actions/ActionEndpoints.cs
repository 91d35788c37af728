using Comx.Core.Deliveries;
using Comx.Core.Http;
using Comx.Core.Inbox;
using Comx.Core.Network;
using Microsoft.Extensions.Options;

namespace Comx.Core.Actions;

/// <summary>What the action handlers need, given to them explicitly.</summary>
public sealed record ActionServices(ActionStore Actions, DeliveryStore Deliveries, DeliveryScheduler Scheduler, ConversationStore Conversations,
    IOptions<NetworkOptions> Network);

/// <summary>
/// Approved actions. A proposal is approved once by an admin, then executed once: execution is a delivery on the
/// webhook-deliveries queue to the target URL, signed with the organisation's action secret; its outcome moves the
/// proposal to succeeded or failed and raises action.executed or action.failed.
/// </summary>
internal static class ActionEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.CreateActionProposal, "POST", Http.Routes.ActionProposals, RouteAuth.Org, EndpointServices.With<ActionServices>(CreateAsync))
        {
            RequestType = typeof(CreateProposalRequest), ResponseType = typeof(ProposalResponse), SuccessStatus = 201,
            Summary = "Proposes an action: a signed POST of payload to target_url, made only after an admin approves it and someone executes it.",
        },
        new(RouteNames.GetActionProposal, "GET", Http.Routes.Action, RouteAuth.Org, EndpointServices.With<ActionServices>(GetAsync))
        { ResponseType = typeof(ProposalResponse), Summary = "A proposal with its status and its delivery attempts." },
        new(RouteNames.ApproveAction, "POST", Http.Routes.ActionApprove, RouteAuth.OrgAdmin, EndpointServices.With<ActionServices>(ApproveAsync))
        {
            ResponseType = typeof(ApprovalResponse),
            Summary = "Approves a proposed action, once: approving again (or approving one that is not proposed) is 409 COMX_IDEMPOTENCY_CONFLICT with details.status.",
        },
        new(RouteNames.ExecuteAction, "POST", Http.Routes.ActionExecute, RouteAuth.Org, EndpointServices.With<ActionServices>(ExecuteAsync))
        {
            ResponseType = typeof(ExecutionResponse), SuccessStatus = 202,
            Summary = "Executes an approved action, once: queued as a signed delivery. Executing again returns the same delivery_id and sends nothing; before approval it is 409.",
        },
        new(RouteNames.GetActionSigningSecret, "GET", Http.Routes.ActionSigningSecret, RouteAuth.OrgAdmin, EndpointServices.With<ActionServices>(SecretAsync))
        {
            ResponseType = typeof(ActionSecretResponse),
            Summary = "The organisation's action signing secret (created on first use): X-Comx-Signature on action executions is hex HMAC-SHA256 of the raw body keyed with it.",
        },
    ];

    private static async Task<ApiResult> CreateAsync(ActionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<CreateProposalRequest>();
        var caller = context.Org;
        var url = request.TargetUrl.Trim();
        if (NetworkGuard.ValidateTargetUrl(url, "target_url", services.Network.Value.AllowPrivateTargets) is { } invalid)
        {
            return ApiError.Validation([invalid]);
        }

        if (request.ThreadId is { } threadId && await services.Conversations.GetThreadAsync(caller.OrgId, threadId, cancellationToken) is null)
        {
            return ApiError.Validation("thread_id", "No such thread in this organisation.");
        }

        var proposal = await services.Actions.CreateAsync(caller.OrgId, request.ActionType, url, request.Payload, request.Summary.Trim(), request.ThreadId,
            caller.Stamp, cancellationToken);
        return ApiResult.Created(ProposalResponse.From(proposal, []));
    }

    private static async Task<ApiResult> GetAsync(ActionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var orgId = context.Org.OrgId;
        if (await services.Actions.GetAsync(orgId, context.Value("proposalId"), cancellationToken) is not { } proposal)
        {
            return ApiError.NotFound("action proposal");
        }

        IReadOnlyList<DeliveryAttempt> attempts = [];
        if (proposal.DeliveryId is { } deliveryId
            && await services.Deliveries.GetAsync(orgId, DeliveryKind.Action, proposal.ProposalId, deliveryId, cancellationToken) is { } delivery)
        {
            attempts = delivery.Attempts;
        }

        return ApiResult.Ok(ProposalResponse.From(proposal, attempts));
    }

    private static async Task<ApiResult> ApproveAsync(ActionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var (proposal, changed) = await services.Actions.ApproveAsync(context.Org.OrgId, context.Value("proposalId"), context.Org.Stamp, cancellationToken);
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

    private static async Task<ApiResult> ExecuteAsync(ActionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var orgId = context.Org.OrgId;
        var actions = services.Actions;
        var deliveries = services.Deliveries;
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
            await services.Scheduler.SendAttemptAsync(orgId, delivery.Row, 1, cancellationToken: cancellationToken);
        }

        return ApiResult.Accepted(new ExecutionResponse(proposal.ProposalId, proposal.Status, deliveryId));
    }

    private static async Task<ApiResult> SecretAsync(ActionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var (secret, createdAt) = await services.Actions.GetOrCreateSigningSecretAsync(context.Org.OrgId, cancellationToken);
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
