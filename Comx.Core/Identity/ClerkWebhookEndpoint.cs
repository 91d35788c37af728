using System.Text.Json;
using Comx.Core.Http;

namespace Comx.Core.Identity;

/// <summary>What the Clerk webhook handler needs, given to it explicitly.</summary>
public sealed record ClerkWebhookServices(OrgDirectory Directory, InboundEventLog Events, TimeProvider Time);

/// <summary>
/// <c>POST /api/webhooks/clerk</c>: the signature was verified on the raw body by the pipeline; here the event is
/// applied once (by svix-id) to organisations, users and memberships. Events may arrive out of order, so each write
/// carries the event's time and the directory keeps the newest (see <see cref="OrgDirectory"/>).
/// </summary>
internal static class ClerkWebhookEndpoint
{
    public const string Source = "clerk";

    public static RouteDefinition Route => new(RouteNames.ClerkWebhook, "POST", Http.Routes.ClerkWebhook, RouteAuth.ClerkWebhook, EndpointServices.With<ClerkWebhookServices>(HandleAsync))
    {
        ResponseType = typeof(WebhookReceipt),
        Summary = "Clerk (Svix-signed) organisation, membership and user events.",
    };

    private static async Task<ApiResult> HandleAsync(ClerkWebhookServices services, RequestContext context, CancellationToken cancellationToken)
    {
        // Verified by the pipeline already, so the id is present.
        var eventId = SvixSignature.MessageId(context.Request.Headers)!;
        ClerkEvent? parsed;
        try
        {
            parsed = ClerkEvent.Parse(context.RawBody.Span, services.Time.GetUtcNow());
        }
        catch (JsonException)
        {
            parsed = null;
        }

        if (parsed is null)
        {
            return ApiError.Validation("body", "The event is not a Clerk event (type and data are required).");
        }

        var directory = services.Directory;
        return await services.Events.ApplyOnceAsync(Source, eventId, parsed.Type, ClerkEvent.Handled.Contains(parsed.Type),
            ct => ApplyAsync(directory, parsed, ct), cancellationToken);
    }

    private static async Task<ApiError?> ApplyAsync(OrgDirectory directory, ClerkEvent e, CancellationToken cancellationToken)
    {
        var data = e.Data;
        switch (e.Type)
        {
            case "organization.created" or "organization.updated":
                if (Text(data, "id") is not { } orgId || !Safe(orgId))
                {
                    return ApiError.Validation("data.id", "An organisation event needs data.id.");
                }

                await directory.UpsertOrgAsync(orgId, Bounded(Text(data, "name"), MaxName) ?? orgId, Bounded(Text(data, "slug"), MaxName), e.Version, cancellationToken);
                return null;
            case "organization.deleted":
                if (Text(data, "id") is not { } deletedOrg || !Safe(deletedOrg))
                {
                    return ApiError.Validation("data.id", "An organisation event needs data.id.");
                }

                await directory.DeleteOrgAsync(deletedOrg, e.Version, cancellationToken);
                return null;
            case "organizationMembership.created" or "organizationMembership.updated" or "organizationMembership.deleted":
                var membershipId = Text(data, "id");
                var org = data.TryGetProperty("organization", out var o) ? Text(o, "id") : null;
                var user = data.TryGetProperty("public_user_data", out var u) ? Text(u, "user_id") : null;
                if (membershipId is null || org is null || user is null || !Safe(org) || !Safe(user))
                {
                    return ApiError.Validation("data", "A membership event needs data.id, data.organization.id and data.public_user_data.user_id.");
                }

                if (e.Type.EndsWith(".deleted", StringComparison.Ordinal))
                {
                    await directory.DeleteMembershipAsync(org, user, membershipId, e.Version, cancellationToken);
                }
                else
                {
                    await directory.UpsertMembershipAsync(org, user, membershipId, ClerkRoles.Normalize(Text(data, "role")) ?? OrgCaller.MemberRole, e.Version, cancellationToken);
                }

                return null;
            case "user.created" or "user.updated":
                if (Text(data, "id") is not { } userId || !Safe(userId))
                {
                    return ApiError.Validation("data.id", "A user event needs data.id.");
                }

                var name = string.Join(' ', new[] { Text(data, "first_name"), Text(data, "last_name") }.Where(n => !string.IsNullOrWhiteSpace(n)));
                await directory.UpsertUserAsync(userId, Bounded(PrimaryEmail(data), MaxEmail), name.Length == 0 ? null : Bounded(name, MaxName), e.Version, cancellationToken);
                return null;
            case "user.deleted":
                if (Text(data, "id") is not { } deletedUser || !Safe(deletedUser))
                {
                    return ApiError.Validation("data.id", "A user event needs data.id.");
                }

                await directory.DeleteUserAsync(deletedUser, e.Version, cancellationToken);
                return null;
            default:
                return null;
        }
    }

    private static bool Safe(string id) => Storage.StorageKeys.IsSafeKey(id);

    // Clerk allows long names; what we show needs far less, and a Table Storage property holds at most 32K characters.
    private const int MaxName = 256;
    private const int MaxEmail = 320;

    private static string? Bounded(string? value, int max) => value is { } text && text.Length > max ? text[..max] : value;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? PrimaryEmail(JsonElement user)
    {
        var primary = Text(user, "primary_email_address_id");
        if (!user.TryGetProperty("email_addresses", out var emails) || emails.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var email in emails.EnumerateArray())
        {
            if (primary is null || Text(email, "id") == primary)
            {
                return Text(email, "email_address");
            }
        }

        return null;
    }

    /// <summary>The envelope fields we use. Version: the event's <c>timestamp</c> (ms), else data.updated_at, else now.</summary>
    private sealed record ClerkEvent(string Type, long Version, JsonElement Data)
    {
        public static readonly HashSet<string> Handled = new(StringComparer.Ordinal)
        {
            "organization.created", "organization.updated", "organization.deleted",
            "organizationMembership.created", "organizationMembership.updated", "organizationMembership.deleted",
            "user.created", "user.updated", "user.deleted",
        };

        public static ClerkEvent? Parse(ReadOnlySpan<byte> body, DateTimeOffset now)
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "type") is not { } type
                || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            // A field of an unexpected type is treated as absent: the event is signed, so Clerk sent it, and refusing it
            // would only make Clerk retry it for days.
            long version = root.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var t) ? t
                : data.TryGetProperty("updated_at", out var updated) && updated.ValueKind == JsonValueKind.Number && updated.TryGetInt64(out var u) ? u
                : now.ToUnixTimeMilliseconds();
            return new ClerkEvent(type, version, data.Clone());
        }
    }
}
