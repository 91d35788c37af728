using System.Globalization;
using System.Text.Json.Nodes;

namespace Comx.DevHost;

/// <summary>The <c>extensions.queues</c> settings of host.json, read so the DevHost drains queues as the Functions host would.</summary>
public sealed record HostJsonQueueSettings(int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval, int BatchSize)
{
    public static readonly HostJsonQueueSettings FunctionsDefaults = new(5, TimeSpan.Zero, TimeSpan.FromMinutes(1), 16);

    public static HostJsonQueueSettings Load(string path)
    {
        if (!File.Exists(path))
        {
            return FunctionsDefaults;
        }

        var queues = JsonNode.Parse(File.ReadAllText(path))?["extensions"]?["queues"];
        if (queues is null)
        {
            return FunctionsDefaults;
        }

        return new HostJsonQueueSettings(
            (int?)queues["maxDequeueCount"] ?? FunctionsDefaults.MaxDequeueCount,
            Span(queues["visibilityTimeout"]) ?? FunctionsDefaults.VisibilityTimeout,
            Span(queues["maxPollingInterval"]) ?? FunctionsDefaults.MaxPollingInterval,
            (int?)queues["batchSize"] ?? FunctionsDefaults.BatchSize);
    }

    private static TimeSpan? Span(JsonNode? node) =>
        node is null ? null : TimeSpan.Parse((string)node!, CultureInfo.InvariantCulture);
}
