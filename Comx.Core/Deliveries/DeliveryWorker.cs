using Azure.Storage.Queues.Models;
using Comx.Core.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Comx.Core.Deliveries;

/// <summary>
/// The <c>webhook-deliveries</c> queue. <c>dispatch</c> runs the event pipeline for an organisation
/// (<see cref="EventDispatcher"/>); <c>deliver</c> claims one attempt, sends it signed through the guarded client,
/// logs it, and queues the next attempt with a delay when it failed. Every step is safe to repeat.
/// </summary>
public sealed partial class DeliveryWorker(
    EventDispatcher dispatcher,
    DeliveryStore deliveries,
    IEnumerable<IDeliveryTarget> targets,
    DeliveryScheduler queue,
    TimeProvider time,
    IOptions<DeliveryOptions> options,
    ILogger<DeliveryWorker> logger)
{
    private readonly Dictionary<DeliveryKind, IDeliveryTarget> _targets = targets.ToDictionary(t => t.Kind);

    public async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parsed = Storage.QueueMessages.Read<DeliveryQueueMessage>(message.Body, DeliveryQueueMessage.CurrentVersion);
        switch (parsed.Kind)
        {
            case DeliveryQueueMessage.Dispatch:
                await dispatcher.DispatchAsync(parsed.OrgId, cancellationToken);
                break;
            case DeliveryQueueMessage.Deliver when parsed.DeliveryRow is { } row && parsed.Attempt is { } attempt:
                await DeliverAsync(parsed.OrgId, row, attempt, cancellationToken);
                break;
            default:
                // Not a shape this version writes: kept (retried, then poisoned) like any message it cannot read.
                throw new InvalidOperationException($"Delivery queue message {message.MessageId} has kind {parsed.Kind} without what that kind needs.");
        }
    }

    /// <summary>
    /// A delivery whose next step should have happened this long ago and has not (its queue message was never sent, or
    /// was lost with a crashed worker) is queued again by <see cref="RecoverAsync"/>; and not again for as long.
    /// </summary>
    public static readonly TimeSpan RecoveryGrace = TimeSpan.FromSeconds(45);

    private const int RecoveryBatch = 500;

    /// <summary>
    /// The recovery sweep (the outbox timer, every minute): finds unfinished deliveries whose next step is overdue and
    /// queues it again: a first attempt never queued, a retry whose message was lost, an attempt left <c>sending</c> by
    /// a worker that stopped (its claim is older than the request timeout, so the queued attempt records it as failed
    /// and retries). Copies of a message are harmless: every attempt is claimed once. Returns what it queued.
    /// </summary>
    public async Task<IReadOnlyList<(string OrgId, string Row, int Attempt)>> RecoverAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var abandonedAfter = AbandonedAfter;
        var queued = new List<(string, string, int)>();
        foreach (var active in await deliveries.ListActiveAsync(RecoveryBatch, cancellationToken))
        {
            if (active.RequeuedAt is { } requeued && now - requeued < RecoveryGrace)
            {
                continue;
            }

            var delivery = await deliveries.GetAsync(active.OrgId, active.Row, cancellationToken);
            if (delivery is null || delivery.Finished)
            {
                // A marker without a delivery is a dispatch that stopped between the two writes (once it is old enough
                // not to be one in progress).
                if (delivery is not null || now - active.MarkedAt > RecoveryGrace)
                {
                    await deliveries.UnmarkActiveAsync(active.OrgId, active.Row, cancellationToken);
                }

                continue;
            }

            int? attempt = delivery switch
            {
                { Status: DeliveryStatus.Pending, AttemptCount: 0 } when now - delivery.CreatedAt > RecoveryGrace => 1,
                { Status: DeliveryStatus.Pending, NextAttemptAt: { } next } when delivery.AttemptCount > 0 && now - next > RecoveryGrace => delivery.AttemptCount + 1,
                { Status: DeliveryStatus.Sending, ClaimedAt: { } claimed } when now - claimed > abandonedAfter => delivery.AttemptCount,
                _ => null,
            };
            if (attempt is { } due)
            {
                await EnqueueAsync(active.OrgId, active.Row, due, null, cancellationToken);
                await deliveries.MarkRequeuedAsync(active.OrgId, active.Row, cancellationToken);
                LogRecovered(logger, delivery.DeliveryId, due, delivery.Status);
                queued.Add((active.OrgId, active.Row, due));
            }
        }

        return queued;
    }

    /// <summary>A claim this old without an outcome belongs to a worker that stopped: its request must have ended by now.</summary>
    private TimeSpan AbandonedAfter => options.Value.RequestTimeout + TimeSpan.FromSeconds(30);

    /// <summary>Makes attempt <paramref name="attempt"/> of one delivery, unless it was made already or is being made.</summary>
    public async Task DeliverAsync(string orgId, string row, int attempt, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (outcome, delivery) = await deliveries.ClaimAsync(orgId, row, attempt, AbandonedAfter, cancellationToken);
        switch (outcome)
        {
            case ClaimOutcome.Missing:
                return;
            case ClaimOutcome.Finished:
                // A worker that stopped after finishing the delivery but before its target heard of it (an action left
                // executing, say) is caught up here.
                await Target(delivery!.Kind).OnRecordedAsync(delivery, null, cancellationToken);
                return;
            case ClaimOutcome.Stale:
                // A worker that stopped after logging a failure but before queueing the retry left the delivery waiting:
                // queue the retry again (a duplicate finds its attempt claimed and sends nothing).
                if (delivery is { Status: DeliveryStatus.Pending, NextAttemptAt: { } next } && delivery.AttemptCount == attempt)
                {
                    await EnqueueAsync(orgId, row, attempt + 1, Max(next - time.GetUtcNow(), TimeSpan.Zero), cancellationToken);
                }

                return;
            case ClaimOutcome.InFlight:
                // Look again once the other worker's request must have ended.
                await EnqueueAsync(orgId, row, attempt, settings.RequestTimeout + TimeSpan.FromSeconds(1), cancellationToken);
                return;
            case ClaimOutcome.Abandoned:
                await RecordAsync(delivery!, attempt, time.GetUtcNow(), new AttemptResult(false, null, 0, "The worker making this attempt stopped before recording an outcome."),
                    cancellationToken);
                return;
        }

        var claimed = delivery!;
        var target = Target(claimed.Kind);
        var startedAt = time.GetUtcNow();
        var result = await target.SendAsync(claimed, cancellationToken);
        if (result.SkipReason is { } reason)
        {
            await deliveries.SkipAsync(orgId, row, reason, cancellationToken);
            return;
        }

        await RecordAsync(claimed, attempt, startedAt, result, cancellationToken);
    }

    private async Task RecordAsync(Delivery delivery, int attempt, DateTimeOffset startedAt, AttemptResult result, CancellationToken cancellationToken)
    {
        var schedule = options.Value.RetryDelays();
        var retry = !result.Succeeded && !result.Gone && attempt <= schedule.Count;
        var delay = retry ? Jittered(schedule[attempt - 1]) : (TimeSpan?)null;
        var now = time.GetUtcNow();
        var log = new DeliveryAttempt(attempt, startedAt, result.StatusCode, result.LatencyMs, result.Error, result.Response, result.ResponseTruncated, result.Succeeded,
            delay is { } d ? now + d : null);
        var next = result.Succeeded ? DeliveryStatus.Succeeded : retry ? DeliveryStatus.Pending : DeliveryStatus.Failed;
        var recorded = await deliveries.RecordAttemptAsync(delivery.OrgId, delivery.Row, log, next, cancellationToken);
        if (result.Succeeded)
        {
            LogSucceeded(logger, delivery.DeliveryId, attempt, result.StatusCode ?? 0, result.LatencyMs);
        }
        else
        {
            LogFailed(logger, delivery.DeliveryId, attempt, result.StatusCode, result.Error, delay);
        }

        if (delay is { } retryDelay)
        {
            await EnqueueAsync(delivery.OrgId, delivery.Row, attempt + 1, retryDelay, cancellationToken);
        }

        await Target(delivery.Kind).OnRecordedAsync(recorded ?? delivery, result, cancellationToken);
    }

    private IDeliveryTarget Target(DeliveryKind kind) =>
        _targets.TryGetValue(kind, out var target) ? target : throw new InvalidOperationException($"No delivery target handles {kind} deliveries.");

    private Task EnqueueAsync(string orgId, string row, int attempt, TimeSpan? delay, CancellationToken cancellationToken) =>
        queue.SendAttemptAsync(orgId, row, attempt, delay, cancellationToken);

    private TimeSpan Jittered(TimeSpan delay)
    {
        var jitter = options.Value.Jitter;
        // Randomness here only spreads retries; nothing depends on its value, so the shared generator is enough.
        var factor = 1 + (jitter * ((Random.Shared.NextDouble() * 2) - 1));
        return TimeSpan.FromTicks((long)(delay.Ticks * factor));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} was overdue ({Status}); attempt {Attempt} queued again")]
    private static partial void LogRecovered(ILogger logger, string deliveryId, int attempt, DeliveryStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} attempt {Attempt} succeeded: {Status} in {LatencyMs} ms")]
    private static partial void LogSucceeded(ILogger logger, string deliveryId, int attempt, int status, long latencyMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} attempt {Attempt} failed ({Status}: {Error}); retry in {Delay}")]
    private static partial void LogFailed(ILogger logger, string deliveryId, int attempt, int? status, string? error, TimeSpan? delay);
}

/// <summary>Why a delivery was skipped.</summary>
public static class SkipReasons
{
    public const string Paused = "The subscription is paused; enable it and resend the delivery.";
    public const string Deleted = "The subscription was deleted.";
}
