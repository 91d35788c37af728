using System.Text.Json;
using System.Text.Json.Nodes;
using Comx.Core.Http;

namespace Comx.Core.Storage;

/// <summary>A message on one of the app's queues: a sealed record whose <see cref="Version"/> names its shape.</summary>
public interface IQueueMessage
{
    /// <summary>The shape's version, written as <c>version</c>; a writer always writes its type's current one.</summary>
    int Version { get; }
}

/// <summary>
/// The one versioning rule for every queue message (ingest jobs, learner erasures, deliveries and event dispatch).
/// The version is written as <c>version</c> (an older build's <c>v</c> is read as it).
/// A reader accepts every version from 1 to its type's current one: a new shape must keep reading the older ones still
/// queued. A message it cannot read (not JSON of its shape, no version, or a version newer than it knows, written by a
/// newer deployment) is never dropped: reading throws, so the host retries it (a newer instance may take it) and after
/// five attempts moves it to the queue's poison queue, where it is kept for an operator.
/// </summary>
public static class QueueMessages
{
    private const string VersionName = "version";
    private const string LegacyVersionName = "v";

    public static T Read<T>(BinaryData body, int currentVersion) where T : class, IQueueMessage
    {
        ArgumentNullException.ThrowIfNull(body);
        T? message;
        try
        {
            var json = JsonNode.Parse(body.ToMemory().Span);
            // Builds before this rule wrote the ingest and erasure messages' version as "v"; one such message may still be
            // queued when a new build starts (an erasure has no sweep that would queue it again).
            if (json is JsonObject legacy && !legacy.ContainsKey(VersionName) && legacy[LegacyVersionName] is { } v)
            {
                legacy.Remove(LegacyVersionName);
                legacy[VersionName] = v;
            }

            message = json.Deserialize<T>(ComxJson.Options);
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"The {typeof(T).Name} is not JSON of its shape.", exception);
        }

        if (message is null)
        {
            throw new InvalidOperationException($"The {typeof(T).Name} is empty.");
        }

        return message.Version >= 1 && message.Version <= currentVersion
            ? message
            : throw new InvalidOperationException($"The {typeof(T).Name} has version {message.Version}; this build reads versions 1 to {currentVersion}.");
    }
}
