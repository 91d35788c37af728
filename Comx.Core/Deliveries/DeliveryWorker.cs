using System.Globalization;
using Azure.Storage.Queues.Models;
using Comx.Core.Actions;
using Comx.Core.Http;
using Comx.Core.Events;
using Comx.Core.Network;
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
    WebhookStore hooks,
    DeliveryStore deliveries,
    ActionStore actions,
    GuardedHttpClient http,
    DeliveryScheduler queue,
    TimeProvider time,
    IOptions<DeliveryOptions> options,
    ILogger<DeliveryWorker> logger)
{
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
                // A worker that stopped after finishing the delivery but before completing the action left it executing.
                await CompleteActionAsync(delivery!, cancellationToken);
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
                await RecordAsync(delivery!, attempt, time.GetUtcNow(), null, 0, "The worker making this attempt stopped before recording an outcome.", null, false, false,
                    cancellationToken);
                return;
        }

        var claimed = delivery!;
        string url;
        string secret;
        if (claimed.Kind == DeliveryKind.Hook)
        {
            var hook = await hooks.GetAsync(orgId, claimed.TargetId, cancellationToken);
            if (hook is null || hook.Status == HookStatus.Paused)
            {
                await deliveries.SkipAsync(orgId, row, hook is null ? SkipReasons.Deleted : SkipReasons.Paused, cancellationToken);
                return;
            }

            (url, secret) = (hook.Url, hook.SigningSecret);
        }
        else
        {
            url = claimed.Url!;
            (secret, _) = await actions.GetOrCreateSigningSecretAsync(orgId, cancellationToken);
        }

        var body = claimed.Body.ToArray();
        var startedAt = time.GetUtcNow();
        var headers = new Dictionary<string, string>
        {
            [WebhookSignature.SignatureHeader] = WebhookSignature.Sign(secret, body),
            [WebhookSignature.EventHeader] = claimed.EventType,
            [WebhookSignature.DeliveryHeader] = claimed.DeliveryId,
            [WebhookSignature.TimestampHeader] = startedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        SendResult result;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target))
        {
            result = SendResult.Fail(new NetworkFailure(NetworkFailureKind.InvalidUrl, "The target is not an absolute URL."), TimeSpan.Zero);
        }
        else
        {
            result = await http.SendAsync(new OutboundRequest(target) { Body = body, Headers = headers, Timeout = settings.RequestTimeout }, cancellationToken);
        }

        var status = result.Response?.StatusCode;
        var succeeded = result.Responded && result.Response.IsSuccessStatusCode;
        var error = succeeded ? null
            : result.Responded ? $"The endpoint answered {status}{(status is >= 300 and < 400 ? " (redirects are not followed)" : "")}."
            : result.Failure.Message;
        var response = result.Response?.Body;
        var truncated = result.Response?.BodyTruncated ?? false;
        if (response is { Length: > DeliveryStore.MaxStoredResponseChars })
        {
            (response, truncated) = (response[..DeliveryStore.MaxStoredResponseChars], true);
        }

        await RecordAsync(claimed, attempt, startedAt, status, (long)result.Latency.TotalMilliseconds, error, response, truncated, succeeded, cancellationToken,
            gone: status == 410);
    }

    private async Task RecordAsync(Delivery delivery, int attempt, DateTimeOffset startedAt, int? status, long latencyMs, string? error, string? response, bool truncated,
        bool succeeded, CancellationToken cancellationToken, bool gone = false)
    {
        var schedule = options.Value.RetryDelays();
        var retry = !succeeded && !gone && attempt <= schedule.Count;
        var delay = retry ? Jittered(schedule[attempt - 1]) : (TimeSpan?)null;
        var now = time.GetUtcNow();
        var log = new DeliveryAttempt(attempt, startedAt, status, latencyMs, error, response, truncated, succeeded, delay is { } d ? now + d : null);
        var next = succeeded ? DeliveryStatus.Succeeded : retry ? DeliveryStatus.Pending : DeliveryStatus.Failed;
        var recorded = await deliveries.RecordAttemptAsync(delivery.OrgId, delivery.Row, log, next, cancellationToken);
        if (succeeded)
        {
            LogSucceeded(logger, delivery.DeliveryId, attempt, status ?? 0, latencyMs);
        }
        else
        {
            LogFailed(logger, delivery.DeliveryId, attempt, status, error, delay);
        }

        if (delay is { } retryDelay)
        {
            await EnqueueAsync(delivery.OrgId, delivery.Row, attempt + 1, retryDelay, cancellationToken);
        }

        if (delivery.Kind == DeliveryKind.Hook)
        {
            var hook = await hooks.RecordOutcomeAsync(delivery.OrgId, delivery.TargetId, succeeded, gone, cancellationToken);
            if (hook is { Status: HookStatus.Paused, PausedAt: { } pausedAt } && pausedAt >= now)
            {
                LogPaused(logger, hook.HookId, delivery.OrgId, hook.ConsecutiveFailures);
            }
        }
        else if (recorded is { Finished: true })
        {
            await CompleteActionAsync(recorded, cancellationToken);
        }
    }

    private Task CompleteActionAsync(Delivery delivery, CancellationToken cancellationToken) =>
        delivery.Kind == DeliveryKind.Action ? actions.CompleteAsync(delivery.OrgId, delivery.TargetId, delivery, cancellationToken) : Task.CompletedTask;

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hook {HookId} of {OrgId} paused after {Failures} consecutive failures")]
    private static partial void LogPaused(ILogger logger, string hookId, string orgId, int failures);
}

/// <summary>Why a delivery was skipped.</summary>
public static class SkipReasons
{
    public const string Paused = "The subscription is paused; enable it and resend the delivery.";
    public const string Deleted = "The subscription was deleted.";
}
