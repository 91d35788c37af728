using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Network;
using Comx.Core.Operations;
using Comx.Core.Billing;
using Comx.Core.Embeddings;
using Comx.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Comx.Core;

/// <summary>The one DI entry point, used by the Functions app and the DevHost alike.</summary>
public static class ComxCoreServices
{
    public static IServiceCollection AddComxCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IdGenerator>();
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.Section));

        services.AddSingleton(_ => new ComxStorage(configuration));
        services.AddHostedService<StorageStartup>();
        services.AddMetrics();
        services.AddSingleton<QueueSender>();

        services.AddSingleton(sp => new RouteTable(ComxRouteTable.All().Concat(sp.GetServices<RouteDefinition>())));
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<IdempotencyStore>();
        services.AddOptions<ClerkOptions>().Bind(configuration.GetSection(ClerkOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClerkOptions>, ClerkOptionsValidator>();
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StripeOptions>, StripeOptionsValidator>();
        services.AddHttpClient(ClerkSigningKeys.HttpClientName);
        services.AddSingleton<ClerkSigningKeys>();
        services.AddSingleton<ClerkSessionValidator>();
        services.AddSingleton(sp => new SvixSignature(sp.GetRequiredService<IOptions<ClerkOptions>>().Value.WebhookSecrets, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new StripeSignature(sp.GetRequiredService<IOptions<StripeOptions>>().Value.WebhookSecrets, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RequestAuthenticator>();
        services.AddSingleton<Billing.BillingSync>();
        services.AddSingleton<Safeguarding.SafeguardingPolicyStore>();
        services.AddSingleton<Safeguarding.SafeguardingReach>();
        services.AddSingleton<Safeguarding.SafeguardingExemplars>();
        services.AddSingleton(sp => new Safeguarding.SafeguardingDetector(sp.GetRequiredService<Safeguarding.SafeguardingExemplars>(),
            ThinkGuide.ThinkGuidePromptWriter.CreateClient(sp.GetRequiredService<IOptions<Chat.AiOptions>>().Value),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Safeguarding.SafeguardingDetector>>()));
        services.AddSingleton<Accessibility.LearnerAccessibilityStore>();
        services.AddSingleton<GuardedHttpClient>();
        services.AddComxEmbeddings(configuration);
        services.AddSingleton<Knowledge.Retrieval.RetrievalIndexStore>();
        services.AddSingleton<Chat.ChatService>();
        services.AddSingleton<Chat.QuestionVectors>();
        services.AddOptions<Chat.AiOptions>().Bind(configuration.GetSection(Chat.AiOptions.Section));
        services.AddSingleton<Chat.ExtractiveAnswerGenerator>();
        services.AddSingleton<Chat.IAnswerGenerator>(sp =>
        {
            var ai = sp.GetRequiredService<IOptions<Chat.AiOptions>>().Value;
            if (!ai.Configured)
            {
                return sp.GetRequiredService<Chat.ExtractiveAnswerGenerator>();
            }

            var client = new OpenAI.Chat.ChatClient(ai.Model, new System.ClientModel.ApiKeyCredential(ai.ApiKey ?? "none"),
                new OpenAI.OpenAIClientOptions { Endpoint = new Uri(ai.Endpoint!), NetworkTimeout = ai.Timeout, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries: 1) });
            return ActivatorUtilities.CreateInstance<Chat.ModelAnswerGenerator>(sp, Microsoft.Extensions.AI.OpenAIClientExtensions.AsIChatClient(client));
        });
        services.AddSingleton<CorsPolicy>();
        services.AddSingleton<WidgetAccess>();
        services.AddSingleton<WidgetSettingsStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<OrgDirectory>();
        services.AddSingleton<InboundEventLog>();
        services.AddSingleton<Events.DispatchSignals>();
        services.AddHostedService<Events.DispatchSignalsFlush>();
        services.AddSingleton<Events.EventStore>();
        services.AddSingleton<Events.EventDispatcher>();
        services.AddSingleton<Inbox.ConversationStore>();
        services.AddSingleton<Chat.ChatSessionStore>();
        services.AddSingleton<Chat.AnswerStore>();
        services.AddSingleton<Chat.EnquiryStore>();
        services.AddSingleton<Templates.TemplateStore>();
        services.AddSingleton<Billing.UsageCounter>();
        services.AddSingleton<Storage.ReadCache>();
        services.AddSingleton<Chat.ChatRateLimits>();
        services.AddSingleton(new Chat.OrgChatGate());
        services.AddSingleton<Chat.ChatServices>();
        services.AddSingleton<Chat.EnquiryServices>();
        services.AddSingleton<Chat.FeedbackServices>();
        services.AddSingleton<Chat.VisitorHandoffServices>();
        services.AddSingleton<CountedSlots>();
        services.AddSingleton<RequestPipeline>();
        services.AddSingleton<OpenApiDocument>();
        services.AddSingleton<Jobs.ComxJobs>();

        services.AddSingleton<ThinkGuide.ThinkGuideStore>();
        services.AddSingleton<ThinkGuide.ThinkGuideService>();
        services.AddSingleton(sp => new ThinkGuide.ThinkGuidePromptWriter(
            ThinkGuide.ThinkGuidePromptWriter.CreateClient(sp.GetRequiredService<IOptions<Chat.AiOptions>>().Value),
            sp.GetRequiredService<IOptions<Chat.AiOptions>>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ThinkGuide.ThinkGuidePromptWriter>>()));
        services.AddOptions<Deliveries.DeliveryOptions>().Bind(configuration.GetSection(Deliveries.DeliveryOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Deliveries.DeliveryOptions>, Deliveries.DeliveryOptionsValidator>();
        services.AddSingleton<Deliveries.WebhookStore>();
        services.AddSingleton<Deliveries.DeliveryStore>();
        services.AddSingleton<Deliveries.DeliveryScheduler>();
        services.AddSingleton<Events.IEventConsumer, Deliveries.WebhookConsumer>();
        services.AddSingleton<Deliveries.SignedPostSender>();
        services.AddSingleton<Deliveries.IDeliveryTarget, Deliveries.HookTarget>();
        services.AddSingleton<Deliveries.IDeliveryTarget, Actions.ActionTarget>();
        services.AddSingleton<Deliveries.DeliveryWorker>();
        services.AddOptions<Notifications.SmtpOptions>().Bind(configuration.GetSection(Notifications.SmtpOptions.Section));
        services.AddSingleton<Notifications.NotificationStore>();
        services.AddSingleton<Notifications.NotificationServices>();
        services.AddSingleton<Deliveries.WebhookServices>();
        services.AddSingleton<Actions.ActionServices>();

        // Each feature's handlers get their dependencies as one services record (EndpointServices.With).
        services.AddSingleton<Knowledge.SourceServices>();
        services.AddSingleton<Inbox.InboxServices>();
        services.AddSingleton<IdentityServices>();
        services.AddSingleton<Templates.TemplateServices>();
        services.AddSingleton<DataProtection.DataProtectionServices>();
        services.AddSingleton<Insights.InsightsServices>();
        services.AddSingleton<ThinkGuide.ThinkGuideServices>();
        services.AddSingleton<Widget.WidgetServices>();
        services.AddSingleton<ClerkWebhookServices>();
        services.AddSingleton<StripeWebhookServices>();
        services.AddSingleton<OperationsServices>();
        services.AddSingleton<Safeguarding.SafeguardingServices>();
        services.AddSingleton<Accessibility.LearnerAccessibilityServices>();
        services.AddSingleton<Events.IEventConsumer, Notifications.NotificationConsumer>();
        services.AddSingleton<Insights.InsightsStore>();
        services.AddSingleton<Events.IEventConsumer, Insights.InsightsConsumer>();
        services.AddSingleton<Deliveries.IDeliveryTarget, Notifications.EmailTarget>();
        services.AddSingleton<Actions.ActionStore>();

        services.AddSingleton<Knowledge.SourceStore>();
        services.AddSingleton<Knowledge.IngestJobStore>();
        services.AddSingleton<Knowledge.ChunkStore>();
        services.AddSingleton<Knowledge.IngestService>();
        services.AddOptions<Knowledge.Crawling.CrawlOptions>().Bind(configuration.GetSection(Knowledge.Crawling.CrawlOptions.Section));
        services.AddSingleton<Knowledge.Crawling.SiteCrawler>();

        services.AddSingleton<DataProtection.DataProtectionStore>();
        services.AddSingleton<DataProtection.ConversationEraser>();
        services.AddSingleton<DataProtection.LearnerDataService>();
        services.AddSingleton<DataProtection.RetentionService>();
        return services;
    }
}
