namespace Comx.Core.Http;

/// <summary>
/// Route templates, relative to the <c>api</c> prefix. Both hosts and the OpenAPI document read them from here;
/// Comx.Functions uses them as attribute arguments, so they are constants.
/// </summary>
/// <remarks>
/// <para>Convention: no two templates may match the same path and method, whatever order they are tried in.</para>
/// <para>The Functions host does not pick the most specific template: it tries the functions' templates in the order of
/// their names and the first match wins (docs/decisions/009-route-templates-cannot-collide.md). So:</para>
/// <list type="number">
/// <item>An id in a path is written with its <see cref="Id"/> constant, e.g. <c>$"org/v1/actions/{Id.Proposal}"</c>,
/// never as a bare <c>{proposalId}</c>. The constant carries a prefix constraint (<c>{proposalId:regex(^act_)}</c>), so
/// <c>actions/signing-secret</c> can never be read as a proposal id. A new id kind gets a new constant here.</item>
/// <item>A parameter that is not one of our ids (a learner id the organisation chooses) is allowed only where no
/// literal sibling exists; Comx.Tests/Functions/RouteSelectionTests lists those and fails on any overlap.</item>
/// <item>Only <c>regex(...)</c> constraints: the host (ASP.NET Core routing) and Core's <see cref="RouteTemplate"/>
/// both enforce them, and the OpenAPI document shows the template without them (<see cref="RouteDefinition.Path"/>).</item>
/// </list>
/// </remarks>
public static class Routes
{
    public const string Prefix = "api";

    /// <summary>Id parameters, each constrained to its id prefix (IdGenerator: <c>prefix_…</c>).</summary>
    public static class Id
    {
        public const string ChatSession = "{sessionId:regex(^ses_)}";
        public const string Answer = "{answerId:regex(^ans_)}";
        public const string ApiKey = "{keyId:regex(^key_)}";
        public const string Source = "{sourceId:regex(^src_)}";
        public const string IngestJob = "{jobId:regex(^job_)}";
        public const string Thread = "{threadId:regex(^thr_)}";
        public const string Proposal = "{proposalId:regex(^act_)}";
        public const string ThinkGuideSession = "{sessionId:regex(^tgs_)}";
        public const string Hook = "{hookId:regex(^whk_)}";
        public const string Delivery = "{deliveryId:regex(^dlv_)}";
        public const string Template = "{templateId:regex(^tpl_)}";
        public const string Enquiry = "{enquiryId:regex(^enq_)}";
        public const string Handoff = "{handoffId:regex(^hof_)}";
        public const string Erasure = "{erasureId:regex(^era_)}";
        public const string WidgetFont = "{fontFile:regex(^atkinson-hyperlegible-)}";
    }

    public const string Health = "health";
    public const string OpenApi = "openapi.json";

    public const string ChatSessions = "public/v1/chat/sessions";
    public const string ChatMessages = "public/v1/chat/messages";
    public const string ChatSessionMessages = $"public/v1/chat/sessions/{Id.ChatSession}/messages";
    public const string Enquiries = "public/v1/enquiries";
    public const string Answer = $"public/v1/answers/{Id.Answer}";
    public const string WidgetScript = "public/v1/widget.js";
    public const string ChatHandoffs = "public/v1/chat/handoffs";
    public const string AnswerFeedback = $"public/v1/answers/{Id.Answer}/feedback";
    public const string WidgetFont = "public/v1/widget-fonts/" + Id.WidgetFont;

    public const string WidgetConfig = "public/v1/widget-config";

    public const string Me = "org/v1/me";
    public const string Widget = "org/v1/widget";
    public const string ApiKeys = "org/v1/api-keys";
    public const string ApiKey = $"org/v1/api-keys/{Id.ApiKey}";
    public const string ApiKeyRotate = $"org/v1/api-keys/{Id.ApiKey}/rotate";

    public const string Sources = "org/v1/sources";
    public const string SourceHealth = $"org/v1/sources/{Id.Source}/health";
    public const string Source = $"org/v1/sources/{Id.Source}";
    public const string SourceFiles = "org/v1/sources/files";
    public const string IngestJobs = "org/v1/ingest-jobs";
    public const string IngestJob = $"org/v1/ingest-jobs/{Id.IngestJob}";

    public const string InboxThreads = "org/v1/inbox/threads";
    public const string InboxThread = $"org/v1/inbox/threads/{Id.Thread}";
    public const string InboxThreadMessages = $"org/v1/inbox/threads/{Id.Thread}/messages";
    public const string InboxThreadResolve = $"org/v1/inbox/threads/{Id.Thread}/resolve";
    public const string Handoffs = "org/v1/handoffs";
    public const string Enquiry = "org/v1/enquiries";
    public const string EnquiryById = $"org/v1/enquiries/{Id.Enquiry}";
    public const string EnquiryClose = $"org/v1/enquiries/{Id.Enquiry}/close";
    public const string InboxThreadAssign = $"org/v1/inbox/threads/{Id.Thread}/assign";

    public const string InsightsSummary = "org/v1/insights/summary";
    public const string InsightsUnanswered = "org/v1/insights/unanswered";

    public const string ActionProposals = "org/v1/actions/proposals";
    public const string Action = $"org/v1/actions/{Id.Proposal}";
    public const string ActionApprove = $"org/v1/actions/{Id.Proposal}/approve";
    public const string ActionExecute = $"org/v1/actions/{Id.Proposal}/execute";

    public const string ActionSigningSecret = "org/v1/actions/signing-secret";

    public const string Templates = "org/v1/templates";
    public const string Template = $"org/v1/templates/{Id.Template}";
    public const string TemplateRender = $"org/v1/templates/{Id.Template}/render";
    public const string Safeguarding = "org/v1/safeguarding";
    public const string Notifications = "org/v1/notifications";
    public const string ThinkGuideSessions = "org/v1/thinkguide/sessions";
    public const string ThinkGuideSession = $"org/v1/thinkguide/sessions/{Id.ThinkGuideSession}";
    public const string ThinkGuideStep = $"org/v1/thinkguide/sessions/{Id.ThinkGuideSession}/step";
    public const string LearnerAccessibility = "org/v1/learner-accessibility/{learnerId}";

    public const string DataRetention = "org/v1/data-retention";
    public const string Learner = "org/v1/learners/{learnerId}";
    public const string LearnerExport = "org/v1/learners/{learnerId}/export";
    public const string Erasure = $"org/v1/erasures/{Id.Erasure}";

    public const string Webhooks = "org/v1/webhooks";
    public const string Webhook = $"org/v1/webhooks/{Id.Hook}";
    public const string WebhookEnable = $"org/v1/webhooks/{Id.Hook}/enable";
    public const string WebhookDeliveries = $"org/v1/webhooks/{Id.Hook}/deliveries";
    public const string WebhookResend = $"org/v1/webhooks/{Id.Hook}/deliveries/{Id.Delivery}/resend";
    public const string WebhookSamples = "org/v1/webhooks/samples";

    public const string ClerkWebhook = "webhooks/clerk";
    public const string StripeWebhook = "webhooks/stripe";

    /// <summary>Catch-all, so unknown routes, wrong methods and CORS preflights get our envelope in every host.</summary>
    public const string Fallback = "{*path}";
}
