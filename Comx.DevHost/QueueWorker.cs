using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Comx.DevHost;

/// <summary>
/// Drains one queue with the Functions queue trigger's semantics (reference: QueueProcessor in the WebJobs storage
/// extension): a message past <c>maxDequeueCount</c> goes to <c>&lt;queue&gt;-poison</c> before running; a failure on
/// the last attempt copies it there and deletes it; any other failure makes it visible again after
/// <c>visibilityTimeout</c>; success deletes it. Messages are Base64, as host.json says.
/// </summary>
public sealed partial class QueueWorker(
    QueueClient queue,
    QueueClient poisonQueue,
    Func<QueueMessage, CancellationToken, Task> handler,
    HostJsonQueueSettings settings,
    ILogger logger)
{
    // How long a received message stays hidden while its handler runs (the Functions host renews a 10-minute lease).
    private static readonly TimeSpan ProcessingLease = TimeSpan.FromMinutes(10);

    /// <summary>Polls until cancelled, backing off to <c>maxPollingInterval</c> while the queue is empty.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var idle = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            int handled;
            try
            {
                handled = await DrainOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Azure.RequestFailedException exception)
            {
                LogPollFailed(logger, exception, queue.Name);
                handled = 0;
            }

            if (handled > 0)
            {
                idle = TimeSpan.FromMilliseconds(100);
                continue;
            }

            try
            {
                await Task.Delay(idle, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
        }
    }

    /// <summary>Receives one batch and processes it; returns how many messages were taken.</summary>
    public async Task<int> DrainOnceAsync(CancellationToken cancellationToken)
    {
        QueueMessage[] messages = await queue.ReceiveMessagesAsync(settings.BatchSize, ProcessingLease, cancellationToken);
        await Task.WhenAll(messages.Select(m => ProcessAsync(m, cancellationToken)));
        return messages.Length;
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        if (message.DequeueCount > settings.MaxDequeueCount)
        {
            await MoveToPoisonAsync(message, cancellationToken);
            return;
        }

        try
        {
            await handler(message, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, exception, queue.Name, message.MessageId, message.DequeueCount);
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: cancellationToken);
            }

            return;
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }

    private async Task MoveToPoisonAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        LogPoisoned(logger, queue.Name, message.MessageId, settings.MaxDequeueCount, poisonQueue.Name);
        await poisonQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        // The body is already Base64 text on the wire; the poison client encodes the same way, so send the decoded text.
        await poisonQueue.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: message {MessageId} failed on attempt {DequeueCount}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string queue, string messageId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: message {MessageId} has reached MaxDequeueCount of {Max}. Moving message to queue '{Poison}'.")]
    private static partial void LogPoisoned(ILogger logger, string queue, string messageId, int max, string poison);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: polling failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string queue);
}
