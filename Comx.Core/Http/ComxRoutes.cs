using Comx.Core.Operations;

namespace Comx.Core.Http;

/// <summary>The route table's contents: every feature's routes, in one list.</summary>
public static class ComxRoutes
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
