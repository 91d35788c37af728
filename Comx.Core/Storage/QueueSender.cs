using System.Text.Json;
using Comx.Core.Http;

namespace Comx.Core.Storage;

/// <summary>
/// Sends versioned JSON messages to a queue. The client Base64-encodes them (see <see cref="ComxStorage"/>), so the
/// Functions queue trigger and the DevHost worker read exactly what was written.
/// </summary>
public sealed class QueueSender(ComxStorage storage)
{
    public async Task SendAsync<T>(string queueName, T message, TimeSpan? delay = null, CancellationToken cancellationToken = default)
    {
        var text = JsonSerializer.Serialize(message, ComxJson.Options);
        await storage.Queue(queueName).SendMessageAsync(text, visibilityTimeout: delay, cancellationToken: cancellationToken);
    }
}
