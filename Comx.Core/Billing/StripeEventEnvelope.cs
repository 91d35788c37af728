using System.Text.Json;

namespace Comx.Core.Billing;

/// <summary>
/// A Stripe event read from the raw (already verified) JSON with System.Text.Json, whatever its API version:
/// <c>id</c>, <c>type</c>, <c>created</c> and <c>data.object</c> exactly as Stripe sent them.
/// </summary>
/// <remarks>
/// Preferred over Stripe.net's <c>Event</c> for webhook handling: events keep the API version of the endpoint that
/// received them, and Stripe.net maps every version onto its own pinned classes, losing fields that moved.
/// </remarks>
/// <param name="Id">The event id, <c>evt_…</c>: the key to apply each event once.</param>
/// <param name="Type">e.g. <c>customer.subscription.updated</c>.</param>
/// <param name="Created">The event's <c>created</c> (Unix seconds on the wire).</param>
/// <param name="ApiVersion">The API version the payload is shaped by (the endpoint's, fixed when the event was created).</param>
/// <param name="Livemode">False for test-mode events.</param>
/// <param name="DataObject">The <c>data.object</c> JSON object (a detached copy; safe to keep).</param>
/// <param name="PreviousAttributes"><c>data.previous_attributes</c> on <c>*.updated</c> events, else null.</param>
public sealed record StripeEventEnvelope(
    string Id,
    string Type,
    DateTimeOffset Created,
    string? ApiVersion,
    bool Livemode,
    JsonElement DataObject,
    JsonElement? PreviousAttributes)
{
    /// <summary>Reads an event; null when the JSON is not an event with a string <c>id</c> and <c>type</c>, an integer <c>created</c> and an object <c>data.object</c>.</summary>
    public static StripeEventEnvelope? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || String(root, "id") is not { Length: > 0 } id
                || String(root, "type") is not { Length: > 0 } type
                || !root.TryGetProperty("created", out var created) || created.ValueKind != JsonValueKind.Number || !created.TryGetInt64(out var createdSeconds)
                || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("object", out var dataObject) || dataObject.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new StripeEventEnvelope(
                id,
                type,
                DateTimeOffset.FromUnixTimeSeconds(createdSeconds),
                String(root, "api_version"),
                root.TryGetProperty("livemode", out var livemode) && livemode.ValueKind == JsonValueKind.True,
                dataObject.Clone(),
                data.TryGetProperty("previous_attributes", out var previous) && previous.ValueKind == JsonValueKind.Object ? previous.Clone() : null);
        }
        catch (Exception e) when (e is JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary><c>data.object.id</c>.</summary>
    public string? ObjectId => GetString("id");

    /// <summary>
    /// A string under <c>data.object</c> by property path, e.g. <c>GetString("parent", "subscription_details", "subscription")</c>;
    /// an expanded object in place of an id (<c>"customer": {"id": "cus_…"}</c>) gives its <c>id</c>. Null when absent.
    /// </summary>
    public string? GetString(params ReadOnlySpan<string> path)
    {
        var current = DataObject;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Object => String(current, "id"),
            _ => null,
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
