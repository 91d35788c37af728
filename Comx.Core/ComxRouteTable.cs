using Comx.Core.Http;
using Comx.Core.Operations;

namespace Comx.Core;

/// <summary>
/// The route table's contents: every feature's routes, in one list. Composed here at the root, next to
/// <see cref="ComxCoreServices"/>, so the pipeline (<c>Comx.Core.Http</c>) knows no feature.
/// </summary>
public static class ComxRouteTable
{
    public static IEnumerable<RouteDefinition> All() =>
    [
        .. OperationsEndpoints.Routes,
        .. Identity.IdentityEndpoints.Routes,
        .. Inbox.InboxEndpoints.Routes,
        .. Templates.TemplateEndpoints.Routes,
        .. Safeguarding.SafeguardingEndpoints.Routes,
        .. Accessibility.LearnerAccessibilityEndpoints.Routes,
        .. Chat.ChatEndpoints.Routes,
        .. Chat.EnquiryEndpoints.Routes,
        .. Chat.VisitorHandoffEndpoints.Routes,
        .. Chat.FeedbackEndpoints.Routes,
        .. Insights.InsightsEndpoints.Routes,

        .. ThinkGuide.ThinkGuideEndpoints.Routes,
        .. Widget.WidgetEndpoints.Routes,
        .. Deliveries.WebhookEndpoints.Routes,
        .. Actions.ActionEndpoints.Routes,
        .. Notifications.NotificationEndpoints.Routes,

        Identity.ClerkWebhookEndpoint.Route,
        Billing.StripeWebhookEndpoint.Route,

        .. Knowledge.SourceEndpoints.Routes,
        .. DataProtection.DataProtectionEndpoints.Routes,
    ];
}
