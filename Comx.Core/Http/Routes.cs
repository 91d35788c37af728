namespace Comx.Core.Http;

/// <summary>
/// Route templates, relative to the <c>api</c> prefix. Both hosts and the OpenAPI document read them from here;
/// Comx.Functions uses them as attribute arguments, so they are constants.
/// </summary>
public static class Routes
{
    public const string Prefix = "api";

    public const string Health = "health";
    public const string OpenApi = "openapi.json";

    public const string ChatSessions = "public/v1/chat/sessions";
    public const string ChatMessages = "public/v1/chat/messages";
    public const string ChatSessionMessages = "public/v1/chat/sessions/{sessionId}/messages";
    public const string Enquiries = "public/v1/enquiries";
    public const string Answer = "public/v1/answers/{answerId}";
    public const string WidgetScript = "public/v1/widget.js";

    public const string WidgetConfig = "public/v1/widget-config";

    public const string Me = "org/v1/me";
    public const string Widget = "org/v1/widget";
    public const string ApiKeys = "org/v1/api-keys";
    public const string ApiKey = "org/v1/api-keys/{keyId}";
    public const string ApiKeyRotate = "org/v1/api-keys/{keyId}/rotate";

    public const string Sources = "org/v1/sources";
    public const string SourceHealth = "org/v1/sources/{sourceId}/health";
    public const string Source = "org/v1/sources/{sourceId}";
    public const string SourceFiles = "org/v1/sources/files";
    public const string IngestJobs = "org/v1/ingest-jobs";
    public const string IngestJob = "org/v1/ingest-jobs/{jobId}";

    public const string InboxThreads = "org/v1/inbox/threads";
    public const string InboxThread = "org/v1/inbox/threads/{threadId}";
    public const string InboxThreadMessages = "org/v1/inbox/threads/{threadId}/messages";
    public const string InboxThreadResolve = "org/v1/inbox/threads/{threadId}/resolve";
    public const string Handoffs = "org/v1/handoffs";
    public const string Enquiry = "org/v1/enquiries";

    public const string ActionProposals = "org/v1/actions/proposals";
    public const string Action = "org/v1/actions/{proposalId}";
    public const string ActionApprove = "org/v1/actions/{proposalId}/approve";
    public const string ActionExecute = "org/v1/actions/{proposalId}/execute";

    public const string ActionSigningSecret = "org/v1/actions/signing-secret";

    public const string Templates = "org/v1/templates";
    public const string Safeguarding = "org/v1/safeguarding";
    public const string ThinkGuideSessions = "org/v1/thinkguide/sessions";
    public const string ThinkGuideSession = "org/v1/thinkguide/sessions/{sessionId}";
    public const string ThinkGuideStep = "org/v1/thinkguide/sessions/{sessionId}/step";
    public const string LearnerAccessibility = "org/v1/learner-accessibility/{learnerId}";

    public const string DataRetention = "org/v1/data-retention";
    public const string Learner = "org/v1/learners/{learnerId}";
    public const string LearnerExport = "org/v1/learners/{learnerId}/export";
    public const string Erasure = "org/v1/erasures/{erasureId}";

    public const string Webhooks = "org/v1/webhooks";
    public const string Webhook = "org/v1/webhooks/{hookId}";
    public const string WebhookEnable = "org/v1/webhooks/{hookId}/enable";
    public const string WebhookDeliveries = "org/v1/webhooks/{hookId}/deliveries";
    public const string WebhookResend = "org/v1/webhooks/{hookId}/deliveries/{deliveryId}/resend";
    public const string WebhookSamples = "org/v1/webhooks/samples";

    public const string ClerkWebhook = "webhooks/clerk";
    public const string StripeWebhook = "webhooks/stripe";

    /// <summary>Catch-all, so unknown routes, wrong methods and CORS preflights get our envelope in every host.</summary>
    public const string Fallback = "{*path}";
}
