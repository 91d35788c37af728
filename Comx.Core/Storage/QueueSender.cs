using System.Diagnostics.Metrics;
using System.Text.Json;
using Comx.Core.Http;

namespace Comx.Core.Storage;

/// <summary>
/// Sends versioned JSON messages to a queue. The client Base64-encodes them (see <see cref="ComxStorage"/>), so the
/// Functions queue trigger and the DevHost worker read exactly what was written. Each send counts towards the
/// <c>comx.queue.messages_sent</c> metric (tagged with the queue), so a component that floods a queue shows.
/// </summary>
public sealed class QueueSender
{
    public const string MeterName = "Comx.Queues";

    private readonly ComxStorage _storage;
    private readonly Counter<long>? _sent;

    public QueueSender(ComxStorage storage, IMeterFactory? meters = null)
    {
        _storage = storage;
        _sent = meters?.Create(MeterName).CreateCounter<long>("comx.queue.messages_sent", "{message}", "Messages sent to a storage queue.");
    }

    public async Task SendAsync<T>(string queueName, T message, TimeSpan? delay = null, CancellationToken cancellationToken = default)
    {
        var text = JsonSerializer.Serialize(message, ComxJson.Options);
        await _storage.Queue(queueName).SendMessageAsync(text, visibilityTimeout: delay, cancellationToken: cancellationToken);
        _sent?.Add(1, new KeyValuePair<string, object?>("queue", queueName));
    }
}
