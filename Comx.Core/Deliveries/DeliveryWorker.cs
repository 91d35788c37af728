using Azure.Storage.Queues.Models;
using Comx.Core.Http;
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
        var parsed = ComxJson.Deserialize<DeliveryQueueMessage>(message.Body.ToMemory().Span);
        if (parsed is null || parsed.Version > DeliveryQueueMessage.CurrentVersion)
        {
            LogUnknownMessage(logger, message.MessageId);
            return;
        }

        switch (parsed.Kind)
        {
            case DeliveryQueueMessage.Dispatch:
                await dispatcher.DispatchAsync(parsed.OrgId, cancellationToken);
                break;
            case DeliveryQueueMessage.Deliver when parsed.DeliveryRow is { } row && parsed.Attempt is { } attempt:
                await DeliverAsync(parsed.OrgId, row, attempt, cancellationToken);
                break;
            default:
                LogUnknownMessage(logger, message.MessageId);
                break;
        }
    }

    /// <summary>Makes attempt <paramref name="attempt"/> of one delivery, unless it was made already or is being made.</summary>
    public async Task DeliverAsync(string orgId, string row, int attempt, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var abandonedAfter = settings.RequestTimeout + TimeSpan.FromSeconds(30);
        var (outcome, delivery) = await deliveries.ClaimAsync(orgId, row, attempt, abandonedAfter, cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery queue message {MessageId} is not one this version understands; dropped")]
    private static partial void LogUnknownMessage(ILogger logger, string messageId);

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
