using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Deliveries;
using Comx.Core.Http;
using Comx.Core.Events;
using Comx.Core.Storage;

namespace Comx.Core.Actions;

public enum ProposalStatus
{
    Proposed,
    Approved,
    Executing,
    Succeeded,
    Failed,
    Rejected,
}

/// <summary>An action the assistant (or a member) proposed: a signed POST of <see cref="PayloadJson"/> to <see cref="TargetUrl"/>, once approved.</summary>
public sealed record ActionProposal(
    string ProposalId,
    string ActionType,
    string TargetUrl,
    string PayloadJson,
    string Summary,
    string? ThreadId,
    ProposalStatus Status,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string? ApprovedBy,
    DateTimeOffset? ApprovedAt,
    string? ExecutedBy,
    DateTimeOffset? ExecutedAt,
    string? DeliveryId,
    DateTimeOffset? FinishedAt,
    string? Error);

/// <summary>The body POSTed to an action's target (signed with the organisation's action secret).</summary>
public sealed record ActionExecutionBody(string Id, string Type, DateTimeOffset CreatedAt, string OrgId, ActionExecutionData Data);

public sealed record ActionExecutionData(string ProposalId, string ActionType, string Summary, string? ThreadId, JsonElement Payload, string? ApprovedBy, DateTimeOffset? ApprovedAt);

/// <summary>
/// Proposals (one row each in the organisation's partition of the actions table) and the organisation's action
/// signing secret (settings table). Every status change is an ETag write, so approval and execution happen once.
/// </summary>
public sealed class ActionStore(ComxStorage storage, EventStore events, IdGenerator ids, TimeProvider time)
{
    /// <summary>What <c>X-Comx-Event</c> and the body's <c>type</c> say on an action execution.</summary>
    public const string ExecutionEventType = "action.execute";

    private const string SecretRow = "action-signing-secret";

    private TableClient Table => storage.Table(StorageNames.Tables.Actions);

    public async Task<ActionProposal> CreateAsync(string orgId, string actionType, string targetUrl, JsonElement payload, string summary, string? threadId, string createdBy,
        CancellationToken cancellationToken = default)
    {
        var entity = new ProposalEntity
        {
            PartitionKey = orgId,
            RowKey = ids.New("act"),
            ActionType = actionType,
            TargetUrl = targetUrl,
            Payload = payload.GetRawText(),
            Summary = summary,
            ThreadId = threadId,
            Status = nameof(ProposalStatus.Proposed),
            CreatedAt = time.GetUtcNow(),
            CreatedBy = createdBy,
        };
        await Table.AddEntityAsync(entity, cancellationToken);
        return entity.ToRecord();
    }

    public async Task<ActionProposal?> GetAsync(string orgId, string proposalId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(proposalId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<ProposalEntity>(orgId, proposalId, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToRecord() : null;
    }

    /// <summary>Approves a proposed action. Returns the proposal as stored and whether this call approved it (false: not proposed any more).</summary>
    public async Task<(ActionProposal? Proposal, bool Changed)> ApproveAsync(string orgId, string proposalId, string approvedBy, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(proposalId))
        {
            return (null, false);
        }

        var now = time.GetUtcNow();
        var changed = false;
        var entity = await Table.UpdateAsync<ProposalEntity>(orgId, proposalId, current =>
        {
            changed = false;
            if (current is null || current.Status != nameof(ProposalStatus.Proposed))
            {
                return null;
            }

            current.Status = nameof(ProposalStatus.Approved);
            current.ApprovedBy = approvedBy;
            current.ApprovedAt = now;
            changed = true;
            return current;
        }, cancellationToken);
        return (entity?.ToRecord(), changed);
    }

    /// <summary>
    /// Moves an approved proposal to executing with a new delivery id. Returns the proposal as stored and whether this
    /// call started it; a proposal already executing (or done) keeps its delivery id.
    /// </summary>
    public async Task<(ActionProposal? Proposal, bool Started)> StartExecutionAsync(string orgId, string proposalId, string deliveryId, string executedBy,
        CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(proposalId))
        {
            return (null, false);
        }

        var now = time.GetUtcNow();
        var started = false;
        var entity = await Table.UpdateAsync<ProposalEntity>(orgId, proposalId, current =>
        {
            started = false;
            if (current is null || current.Status != nameof(ProposalStatus.Approved))
            {
                return null;
            }

            current.Status = nameof(ProposalStatus.Executing);
            current.DeliveryId = deliveryId;
            current.ExecutedBy = executedBy;
            current.ExecutedAt = now;
            started = true;
            return current;
        }, cancellationToken);
        return (entity?.ToRecord(), started);
    }

    /// <summary>The exact bytes POSTed for an executing proposal; a function of the stored proposal, so a retry or a recovery sends the same body.</summary>
    public static byte[] ExecutionBody(string orgId, ActionProposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        using var payload = JsonDocument.Parse(proposal.PayloadJson);
        return ComxJson.SerializeToUtf8Bytes(new ActionExecutionBody(proposal.ProposalId, ExecutionEventType, proposal.ExecutedAt ?? proposal.CreatedAt, orgId,
            new ActionExecutionData(proposal.ProposalId, proposal.ActionType, proposal.Summary, proposal.ThreadId, payload.RootElement, proposal.ApprovedBy, proposal.ApprovedAt)));
    }

    /// <summary>
    /// Records an execution's outcome: raises action.executed or action.failed through the outbox first (the event id
    /// and time come from the proposal and delivery, so doing this twice raises nothing new), then marks the proposal.
    /// </summary>
    public async Task CompleteAsync(string orgId, string proposalId, Delivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (await GetAsync(orgId, proposalId, cancellationToken) is not { Status: ProposalStatus.Executing } proposal)
        {
            return;
        }

        var succeeded = delivery.Status == DeliveryStatus.Succeeded;
        var last = delivery.Attempts.Count > 0 ? delivery.Attempts[^1] : null;
        var error = succeeded ? null : last?.Error ?? delivery.SkipReason ?? "The action could not be delivered.";
        var finishedAt = delivery.FinishedAt ?? time.GetUtcNow();
        var outcome = succeeded
            ? EventRecord.Create(OutcomeEventId(proposalId), finishedAt, new ActionExecutedData(proposal.ProposalId, proposal.ActionType, proposal.TargetUrl,
                proposal.Summary, proposal.ThreadId, delivery.DeliveryId, "succeeded", last?.StatusCode, delivery.Attempts.Count, error, proposal.ApprovedBy,
                proposal.ExecutedBy, finishedAt))
            : EventRecord.Create(OutcomeEventId(proposalId), finishedAt, new ActionFailedData(proposal.ProposalId, proposal.ActionType, proposal.TargetUrl,
                proposal.Summary, proposal.ThreadId, delivery.DeliveryId, "failed", last?.StatusCode, delivery.Attempts.Count, error, proposal.ApprovedBy,
                proposal.ExecutedBy, finishedAt));
        await events.AddAsync(orgId, [outcome], cancellationToken);
        await Table.UpdateAsync<ProposalEntity>(orgId, proposalId, current =>
        {
            if (current is null || current.Status != nameof(ProposalStatus.Executing))
            {
                return null;
            }

            current.Status = succeeded ? nameof(ProposalStatus.Succeeded) : nameof(ProposalStatus.Failed);
            current.FinishedAt = finishedAt;
            current.Error = error;
            return current;
        }, cancellationToken);
    }

    /// <summary>The one outcome event of a proposal (executed and failed exclude each other).</summary>
    public static string OutcomeEventId(string proposalId) => "evt_" + StorageKeys.Hash(proposalId + "|outcome");

    /// <summary>The organisation's action signing secret, created on first use.</summary>
    public async Task<(string Secret, DateTimeOffset CreatedAt)> GetOrCreateSigningSecretAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var settings = storage.Table(StorageNames.Tables.Settings);
        var existing = await settings.GetEntityIfExistsAsync<TableEntity>(orgId, SecretRow, cancellationToken: cancellationToken);
        if (!existing.HasValue)
        {
            try
            {
                await settings.AddEntityAsync(new TableEntity(orgId, SecretRow)
                {
                    ["Secret"] = WebhookSignature.NewSecret(ids),
                    ["CreatedAt"] = time.GetUtcNow(),
                }, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Another request created it first; theirs is the secret.
            }

            existing = await settings.GetEntityIfExistsAsync<TableEntity>(orgId, SecretRow, cancellationToken: cancellationToken);
        }

        var entity = existing.Value!;
        return (entity.GetString("Secret"), entity.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue);
    }

    internal sealed class ProposalEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string ActionType { get; set; } = "";

        public string TargetUrl { get; set; } = "";

        public string Payload { get; set; } = "{}";

        public string Summary { get; set; } = "";

        public string? ThreadId { get; set; }

        public string Status { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public string CreatedBy { get; set; } = "";

        public string? ApprovedBy { get; set; }

        public DateTimeOffset? ApprovedAt { get; set; }

        public string? ExecutedBy { get; set; }

        public DateTimeOffset? ExecutedAt { get; set; }

        public string? DeliveryId { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }

        public string? Error { get; set; }

        public ActionProposal ToRecord() => new(RowKey, ActionType, TargetUrl, Payload, Summary, ThreadId, Enum.Parse<ProposalStatus>(Status), CreatedAt, CreatedBy,
            ApprovedBy, ApprovedAt, ExecutedBy, ExecutedAt, DeliveryId, FinishedAt, Error);
    }
}
