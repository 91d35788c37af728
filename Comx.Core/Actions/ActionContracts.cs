using System.Text.Json;
using Comx.Core.Deliveries;
using Comx.Core.Http;
using Comx.Core.Storage;

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
