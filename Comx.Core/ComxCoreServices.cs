using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Network;
using Comx.Core.Operations;
using Comx.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        services.AddSingleton<QueueSender>();

        services.AddSingleton(sp => new RouteTable(ComxRoutes.All().Concat(sp.GetServices<RouteDefinition>())));
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<RequestAuthenticator>();
        services.AddSingleton<CorsPolicy>();
        services.AddSingleton<WidgetSettingsStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<OrgDirectory>();
        services.AddSingleton<InboundEventLog>();
        services.AddSingleton<Inbox.ConversationStore>();
        services.AddSingleton<Chat.ChatSessionStore>();
        services.AddSingleton<Chat.AnswerStore>();
        services.AddSingleton<Billing.UsageCounter>();
        services.AddSingleton<RequestPipeline>();
        services.AddSingleton<OpenApiDocument>();
        services.AddSingleton<Jobs.ComxJobs>();
        return services;
    }
}
