namespace Comx.Core.Http;

/// <summary>Route names: the Azure Function names, and the keys of the route table.</summary>
public static class RouteNames
{
    public const string Health = "Health";
    public const string OpenApi = "OpenApi";
    /// <summary>
    /// The Functions catch-all. The host tries function routes in the order of the functions' names (case-insensitive)
    /// and the first match wins, so the catch-all's name must sort after every other function's name: "Zz…" does, in
    /// ordinal and in culture order (RouteSelectionTests fails if a new name sorts after it).
    /// </summary>
    public const string Fallback = "ZzFallback";

    public const string GetMe = "GetMe";
    public const string GetWidget = "GetWidget";
    public const string PutWidget = "PutWidget";
    public const string ListApiKeys = "ListApiKeys";
    public const string CreateApiKey = "CreateApiKey";
    public const string RevokeApiKey = "RevokeApiKey";
    public const string RotateApiKey = "RotateApiKey";
    public const string ClerkWebhook = "ClerkWebhook";
    public const string StripeWebhook = "StripeWebhook";

    public const string ListThreads = "ListThreads";
    public const string GetThread = "GetThread";
    public const string ReplyToThread = "ReplyToThread";
    public const string ResolveThread = "ResolveThread";
    public const string CreateHandoff = "CreateHandoff";
    public const string ListTemplates = "ListTemplates";
    public const string CreateTemplate = "CreateTemplate";

    public const string GetSafeguarding = "GetSafeguarding";
    public const string PutSafeguarding = "PutSafeguarding";
    public const string GetNotifications = "GetNotifications";
    public const string PutNotifications = "PutNotifications";
    public const string GetLearnerAccessibility = "GetLearnerAccessibility";
    public const string PutLearnerAccessibility = "PutLearnerAccessibility";
    public const string CreateEnquiry = "CreateEnquiry";
    public const string ListEnquiries = "ListEnquiries";
    public const string InsightsSummary = "InsightsSummary";
    public const string InsightsUnanswered = "InsightsUnanswered";
    public const string CreateChatSession = "CreateChatSession";
    public const string SendChatMessage = "SendChatMessage";
    public const string ListChatMessages = "ListChatMessages";
    public const string GetAnswer = "GetAnswer";

    public const string StartThinkGuideSession = "StartThinkGuideSession";
    public const string AnswerThinkGuideStep = "AnswerThinkGuideStep";
    public const string GetThinkGuideSession = "GetThinkGuideSession";
    public const string GetWidgetScript = "GetWidgetScript";
    public const string GetWidgetConfig = "GetWidgetConfig";
    public const string ListWebhooks = "ListWebhooks";
    public const string CreateWebhook = "CreateWebhook";
    public const string DeleteWebhook = "DeleteWebhook";
    public const string ListWebhookDeliveries = "ListWebhookDeliveries";
    public const string EnableWebhook = "EnableWebhook";
    public const string ResendWebhookDelivery = "ResendWebhookDelivery";
    public const string GetWebhookSamples = "GetWebhookSamples";
    public const string CreateActionProposal = "CreateActionProposal";
    public const string GetActionProposal = "GetActionProposal";
    public const string ApproveAction = "ApproveAction";
    public const string ExecuteAction = "ExecuteAction";
    public const string GetActionSigningSecret = "GetActionSigningSecret";
    public const string CreateSource = "CreateSource";
    public const string ListSources = "ListSources";
    public const string CreateIngestJob = "CreateIngestJob";
    public const string GetIngestJob = "GetIngestJob";
    public const string GetSourceHealth = "GetSourceHealth";

    public const string CreateVisitorHandoff = "CreateVisitorHandoff";
    public const string SendAnswerFeedback = "SendAnswerFeedback";
    public const string GetWidgetFont = "GetWidgetFont";
    public const string AssignThread = "AssignThread";
    public const string GetEnquiry = "GetEnquiry";
    public const string CloseEnquiry = "CloseEnquiry";
    public const string UpdateTemplate = "UpdateTemplate";
    public const string DeleteTemplate = "DeleteTemplate";
    public const string RenderTemplate = "RenderTemplate";
    public const string GetSource = "GetSource";
    public const string UpdateSource = "UpdateSource";
    public const string DeleteSource = "DeleteSource";
    public const string UploadSourceFile = "UploadSourceFile";
    public const string GetDataRetention = "GetDataRetention";
    public const string PutDataRetention = "PutDataRetention";
    public const string ExportLearner = "ExportLearner";
    public const string EraseLearner = "EraseLearner";
    public const string GetErasure = "GetErasure";
}
