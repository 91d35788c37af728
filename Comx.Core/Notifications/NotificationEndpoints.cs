using Comx.Core.Deliveries;
using Comx.Core.Http;
using Comx.Core.Storage;
using Microsoft.Extensions.Options;

namespace Comx.Core.Notifications;

/// <summary>What the notification handlers need, given to them explicitly.</summary>
public sealed record NotificationServices(NotificationStore Store, DeliveryStore Deliveries, IOptions<SmtpOptions> Smtp);

/// <summary><c>GET/PUT /org/v1/notifications</c>: who is e-mailed about which events (PUT: org:admin), and the latest sends.</summary>
internal static class NotificationEndpoints
{
    /// <summary>How many of the latest sends the GET shows.</summary>
    public const int RecentSends = 20;

    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.GetNotifications, "GET", Http.Routes.Notifications, RouteAuth.Org, EndpointServices.With<NotificationServices>(GetAsync))
        {
            ResponseType = typeof(NotificationsResponse),
            Summary = "E-mail notification recipients, whether e-mail is configured (email: configured or not_configured: then nothing is sent), and the latest sends with their failures.",
        },
        new(RouteNames.PutNotifications, "PUT", Http.Routes.Notifications, RouteAuth.OrgAdmin, EndpointServices.With<NotificationServices>(PutAsync))
        {
            RequestType = typeof(PutNotificationsRequest), ResponseType = typeof(NotificationsResponse),
            Summary = "Replaces the recipients: each an e-mail address and the events it gets (handoff.requested, safeguarding.alert, enquiry.created, ingest.failed). The safeguarding policy's contact also gets safeguarding alerts.",
        },
    ];

    private static async Task<ApiResult> GetAsync(NotificationServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var recipients = await services.Store.GetRecipientsAsync(context.Org.OrgId, cancellationToken);
        return ApiResult.Ok(await ResponseAsync(services, context.Org.OrgId, recipients, cancellationToken));
    }

    private static async Task<ApiResult> PutAsync(NotificationServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<PutNotificationsRequest>();
        var saved = await services.Store.SaveRecipientsAsync(context.Org.OrgId, request.Recipients, context.Org.Stamp, cancellationToken);
        return ApiResult.Ok(await ResponseAsync(services, context.Org.OrgId, saved, cancellationToken));
    }

    private static async Task<NotificationsResponse> ResponseAsync(NotificationServices services, string orgId, IReadOnlyList<NotificationRecipient> recipients,
        CancellationToken cancellationToken)
    {
        var sends = await services.Deliveries.ListEmailsAsync(orgId, new PageRequest(RecentSends, null), cancellationToken);
        return new NotificationsResponse(recipients, EmailStatus.Of(services.Smtp.Value), [.. sends.Data.Select(Send)]);
    }

    private static NotificationSend Send(Delivery d) => new(d.DeliveryId, d.EventId, d.EventType, d.TargetId, d.Status.ToString().ToLowerInvariant(), d.Attempts.Count,
        d.Attempts.LastOrDefault(a => !a.Succeeded)?.Error ?? d.SkipReason, d.CreatedAt, d.FinishedAt);
}
