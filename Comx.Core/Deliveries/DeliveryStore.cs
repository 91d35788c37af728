using Azure;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Deliveries;

public enum DeliveryStatus
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,

    /// <summary>An attempt has been claimed and is being sent.</summary>
    Sending,

    Succeeded,

    /// <summary>The last attempt failed (or the target answered 410 Gone).</summary>
    Failed,

    /// <summary>Not sent: the subscription was paused or deleted.</summary>
    Skipped,
}

public enum DeliveryKind
{
    /// <summary>An event to a subscription (row <c>h|hook|delivery</c>).</summary>
    Hook,

    /// <summary>An approved action's execution (row <c>a|proposal|delivery</c>).</summary>
    Action,

    /// <summary>An e-mail notification of an event to one recipient (row <c>n|delivery</c>, so the newest come first).</summary>
    Email,
}

/// <summary>One logged attempt: what came back (or why nothing did) and how long it took.</summary>
public sealed record DeliveryAttempt(int Attempt, DateTimeOffset StartedAt, int? StatusCode, long LatencyMs, string? Error, string? Response, bool ResponseTruncated,
    bool Succeeded, DateTimeOffset? NextAttemptAt);

/// <summary>A delivery of one body to one target, with its attempts. Its id is what <c>X-Comx-Delivery</c> carries, on every retry.</summary>
public sealed record Delivery(
    string OrgId,
    string Row,
    string DeliveryId,
    DeliveryKind Kind,
    string TargetId,
    string EventId,
    string EventType,
    string? Url,
    ReadOnlyMemory<byte> Body,
    DeliveryStatus Status,
    int AttemptCount,
    DateTimeOffset? ClaimedAt,
    IReadOnlyList<DeliveryAttempt> Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? FinishedAt,
    string? SkipReason,
    string? ResendOf)
{
    public bool Finished => Status is DeliveryStatus.Succeeded or DeliveryStatus.Failed or DeliveryStatus.Skipped;
}

/// <summary>The marker of an unfinished delivery: where it is, when it was marked, when the recovery sweep last queued it.</summary>
public sealed record ActiveDelivery(string OrgId, string Row, DateTimeOffset MarkedAt, DateTimeOffset? RequeuedAt);

/// <summary>What <see cref="DeliveryStore.ClaimAsync"/> found.</summary>
public enum ClaimOutcome
{
    /// <summary>This caller owns the attempt and must send it.</summary>
    Claimed,

    /// <summary>No such delivery.</summary>
    Missing,

    /// <summary>The delivery is finished.</summary>
    Finished,

    /// <summary>The attempt was already made (or is not the next one); nothing to do.</summary>
    Stale,

    /// <summary>Another worker claimed the attempt moments ago and has not recorded an outcome yet.</summary>
    InFlight,

    /// <summary>The attempt was claimed long ago and never got an outcome (its worker stopped): count it as failed.</summary>
    Abandoned,
}

/// <summary>
/// Deliveries, in the organisation's partition of the deliveries table. Row keys put a target's deliveries together,
/// newest first (delivery ids start with a newest-first time stamp): <c>h|{hookId}|{deliveryId}</c> and
/// <c>a|{proposalId}|{deliveryId}</c>. Each attempt is claimed with an ETag write before it is sent, so two copies of a
/// queue message cannot both send it.
/// </summary>
public sealed class DeliveryStore(ComxStorage storage, IdGenerator ids, TimeProvider time)
{
    /// <summary>The stored log keeps this much of each response.</summary>
    public const int MaxStoredResponseChars = 2000;

    private const int BodyPartBytes = 60 * 1024;
    private const int MaxBodyParts = 4;

    public const int MaxBodyBytes = BodyPartBytes * MaxBodyParts;

    private TableClient Table => storage.Table(StorageNames.Tables.Deliveries);

    /// <summary>
    /// The id of an event's delivery to a subscription: derived from both, after a stamp of the event's time, so a
    /// redelivered dispatch finds the delivery it already made instead of making another.
    /// </summary>
    public static string EventDeliveryId(string eventId, string hookId, DateTimeOffset eventCreatedAt) =>
        $"dlv_{StorageKeys.NewestFirst(eventCreatedAt)}{StorageKeys.Hash(eventId + "|" + hookId)[..24]}";

    public string NewDeliveryId() => $"dlv_{StorageKeys.NewestFirst(time.GetUtcNow())}{ids.Random(15)}";

    public static string HookRow(string hookId, string deliveryId) => $"h|{hookId}|{deliveryId}";

    public static string ActionRow(string proposalId, string deliveryId) => $"a|{proposalId}|{deliveryId}";

    /// <summary>The row of a delivery of any kind.</summary>
    public static string Row(DeliveryKind kind, string targetId, string deliveryId) => kind switch
    {
        DeliveryKind.Hook => HookRow(targetId, deliveryId),
        DeliveryKind.Action => ActionRow(targetId, deliveryId),
        _ => "n|" + deliveryId,
    };

    /// <summary>Adds a delivery; when one with its id exists already, returns that one (created false).</summary>
    public async Task<(Delivery Delivery, bool Created)> AddAsync(string orgId, DeliveryKind kind, string targetId, string deliveryId, string eventId, string eventType,
        string? url, ReadOnlyMemory<byte> body, DeliveryStatus status = DeliveryStatus.Pending, string? skipReason = null, string? resendOf = null,
        CancellationToken cancellationToken = default)
    {
        if (body.Length > MaxBodyBytes)
        {
            throw new ArgumentException($"A delivery body is at most {MaxBodyBytes} bytes.", nameof(body));
        }

        var now = time.GetUtcNow();
        var entity = new DeliveryEntity
        {
            PartitionKey = orgId,
            RowKey = Row(kind, targetId, deliveryId),
            DeliveryId = deliveryId,
            Kind = kind.ToString(),
            TargetId = targetId,
            EventId = eventId,
            EventType = eventType,
            Url = url,
            Status = status.ToString(),
            Attempts = "[]",
            CreatedAt = now,
            FinishedAt = status == DeliveryStatus.Skipped ? now : null,
            SkipReason = skipReason,
            ResendOf = resendOf,
        };
        entity.SetBody(body);
        if (status == DeliveryStatus.Pending)
        {
            // Before the delivery itself: a crash in between leaves a marker without a delivery (the recovery sweep
            // drops it), never an unfinished delivery nobody will look at again.
            await MarkActiveAsync(orgId, entity.RowKey, cancellationToken);
        }

        try
        {
            await Table.AddEntityAsync(entity, cancellationToken);
            return (entity.ToRecord(), true);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return ((await GetAsync(orgId, entity.RowKey, cancellationToken))!, false);
        }
    }

    public async Task<Delivery?> GetAsync(string orgId, string row, CancellationToken cancellationToken = default)
    {
        var entity = await Table.GetEntityIfExistsAsync<DeliveryEntity>(orgId, row, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToRecord() : null;
    }

    public Task<Delivery?> GetAsync(string orgId, DeliveryKind kind, string targetId, string deliveryId, CancellationToken cancellationToken = default) =>
        GetAsync(orgId, Row(kind, targetId, deliveryId), cancellationToken);

    /// <summary>E-mail deliveries, newest first.</summary>
    public async Task<ListPage<Delivery>> ListEmailsAsync(string orgId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var rows = await Table.QueryPageAsync<DeliveryEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {"n|"} and RowKey lt {"n~"}"), page, cancellationToken: cancellationToken);
        return new ListPage<Delivery>([.. rows.Data.Select(r => r.ToRecord())], rows.NextCursor);
    }

    /// <summary>A subscription's deliveries, newest first.</summary>
    public async Task<ListPage<Delivery>> ListForHookAsync(string orgId, string hookId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var prefix = $"h|{hookId}|";
        var rows = await Table.QueryPageAsync<DeliveryEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}"), page, cancellationToken: cancellationToken);
        return new ListPage<Delivery>([.. rows.Data.Select(r => r.ToRecord())], rows.NextCursor);
    }

    /// <summary>
    /// Claims attempt <paramref name="attempt"/> (1-based) for the caller. A claim older than
    /// <paramref name="abandonedAfter"/> with no outcome is reported as abandoned, so the delivery carries on.
    /// </summary>
    public async Task<(ClaimOutcome Outcome, Delivery? Delivery)> ClaimAsync(string orgId, string row, int attempt, TimeSpan abandonedAfter,
        CancellationToken cancellationToken = default)
    {
        var existing = await Table.GetEntityIfExistsAsync<DeliveryEntity>(orgId, row, cancellationToken: cancellationToken);
        if (!existing.HasValue)
        {
            return (ClaimOutcome.Missing, null);
        }

        var entity = existing.Value!;
        var delivery = entity.ToRecord();
        if (delivery.Finished)
        {
            return (ClaimOutcome.Finished, delivery);
        }

        var now = time.GetUtcNow();
        if (delivery.AttemptCount >= attempt)
        {
            var outcomeMissing = delivery.AttemptCount == attempt && delivery.Status == DeliveryStatus.Sending && delivery.Attempts.All(a => a.Attempt != attempt);
            if (!outcomeMissing)
            {
                return (ClaimOutcome.Stale, delivery);
            }

            return (delivery.ClaimedAt is { } claimed && now - claimed > abandonedAfter ? ClaimOutcome.Abandoned : ClaimOutcome.InFlight, delivery);
        }

        if (delivery.AttemptCount != attempt - 1)
        {
            return (ClaimOutcome.Stale, delivery);
        }

        entity.AttemptCount = attempt;
        entity.Status = nameof(DeliveryStatus.Sending);
        entity.ClaimedAt = now;
        entity.NextAttemptAt = null;
        try
        {
            await Table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return (ClaimOutcome.Stale, delivery);
        }

        return (ClaimOutcome.Claimed, entity.ToRecord());
    }

    /// <summary>Logs an attempt's outcome and moves the delivery on: to <paramref name="status"/>, finished or pending the next attempt.</summary>
    public async Task<Delivery?> RecordAttemptAsync(string orgId, string row, DeliveryAttempt attempt, DeliveryStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var now = time.GetUtcNow();
        var entity = await Table.UpdateAsync<DeliveryEntity>(orgId, row, current =>
        {
            if (current is null)
            {
                return null;
            }

            var attempts = current.AttemptList();
            if (attempts.Any(a => a.Attempt == attempt.Attempt))
            {
                return null;
            }

            attempts.Add(attempt);
            current.Attempts = ComxJson.Serialize(attempts);
            current.Status = status.ToString();
            current.NextAttemptAt = attempt.NextAttemptAt;
            current.FinishedAt = status is DeliveryStatus.Pending ? null : now;
            return current;
        }, cancellationToken);
        if (entity?.ToRecord() is { Finished: true } finished)
        {
            await UnmarkActiveAsync(orgId, finished.Row, cancellationToken);
        }

        return entity?.ToRecord();
    }

    /// <summary>Finishes a delivery without sending (its subscription was paused or deleted).</summary>
    public async Task<Delivery?> SkipAsync(string orgId, string row, string reason, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var entity = await Table.UpdateAsync<DeliveryEntity>(orgId, row, current =>
        {
            if (current is null || current.ToRecord().Finished)
            {
                return null;
            }

            current.Status = nameof(DeliveryStatus.Skipped);
            current.SkipReason = reason;
            current.FinishedAt = now;
            current.NextAttemptAt = null;
            return current;
        }, cancellationToken);
        await UnmarkActiveAsync(orgId, row, cancellationToken);
        return entity?.ToRecord();
    }

    /// <summary>Unfinished deliveries (their markers), for the recovery sweep.</summary>
    public async Task<IReadOnlyList<ActiveDelivery>> ListActiveAsync(int limit, CancellationToken cancellationToken = default)
    {
        var active = new List<ActiveDelivery>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ActivePartition}");
        await foreach (var marker in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            var split = marker.RowKey.IndexOf('|', StringComparison.Ordinal);
            active.Add(new ActiveDelivery(marker.RowKey[..split], marker.RowKey[(split + 1)..], marker.GetDateTimeOffset("MarkedAt") ?? DateTimeOffset.MinValue,
                marker.GetDateTimeOffset("RequeuedAt")));
            if (active.Count >= limit)
            {
                break;
            }
        }

        return active;
    }

    /// <summary>Notes that the recovery sweep queued a message for the delivery, so it does not queue another within its lease.</summary>
    public async Task MarkRequeuedAsync(string orgId, string row, CancellationToken cancellationToken = default) =>
        await Table.UpsertEntityAsync(new TableEntity(ActivePartition, orgId + "|" + row) { ["RequeuedAt"] = time.GetUtcNow() }, TableUpdateMode.Merge,
            cancellationToken);

    public async Task UnmarkActiveAsync(string orgId, string row, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.DeleteEntityAsync(ActivePartition, orgId + "|" + row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    // Markers of unfinished deliveries, across organisations; '!' never starts an organisation id.
    private const string ActivePartition = "!active";

    private Task MarkActiveAsync(string orgId, string row, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity(ActivePartition, orgId + "|" + row) { ["MarkedAt"] = time.GetUtcNow() }, TableUpdateMode.Replace, cancellationToken);

    internal sealed class DeliveryEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string DeliveryId { get; set; } = "";

        public string Kind { get; set; } = "";

        public string TargetId { get; set; } = "";

        public string EventId { get; set; } = "";

        public string EventType { get; set; } = "";

        public string? Url { get; set; }

        // The exact bytes that are signed and sent, split because one binary property holds at most 64 KiB.
        public byte[]? Body0 { get; set; }

        public byte[]? Body1 { get; set; }

        public byte[]? Body2 { get; set; }

        public byte[]? Body3 { get; set; }

        public string Status { get; set; } = "";

        public int AttemptCount { get; set; }

        public DateTimeOffset? ClaimedAt { get; set; }

        public string Attempts { get; set; } = "[]";

        public DateTimeOffset CreatedAt { get; set; }

        public DateTimeOffset? NextAttemptAt { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }

        public string? SkipReason { get; set; }

        public string? ResendOf { get; set; }

        public void SetBody(ReadOnlyMemory<byte> body)
        {
            byte[]? Part(int index) =>
                body.Length > index * BodyPartBytes ? body.Slice(index * BodyPartBytes, Math.Min(BodyPartBytes, body.Length - (index * BodyPartBytes))).ToArray() : null;
            Body0 = Part(0) ?? [];
            Body1 = Part(1);
            Body2 = Part(2);
            Body3 = Part(3);
        }

        public List<DeliveryAttempt> AttemptList() => ComxJson.Deserialize<List<DeliveryAttempt>>(Attempts) ?? [];

        public Delivery ToRecord() => new(PartitionKey, RowKey, DeliveryId, Enum.Parse<DeliveryKind>(Kind), TargetId, EventId, EventType, Url,
            (byte[])[.. Body0 ?? [], .. Body1 ?? [], .. Body2 ?? [], .. Body3 ?? []], Enum.Parse<DeliveryStatus>(Status), AttemptCount, ClaimedAt, AttemptList(),
            CreatedAt, NextAttemptAt, FinishedAt, SkipReason, ResendOf);
    }
}
