using Comx.Core;
using Comx.Core.Http;

namespace Comx.DevHost;

/// <summary>
/// The DevHost's composition, shared by Program.cs and the end-to-end tests: the same Core services and route
/// table as the Functions app, served by Kestrel, with queue workers and timers.
/// </summary>
public static class DevHostApp
{
    public const string DefaultUrl = "http://localhost:7071";

    public static WebApplicationBuilder CreateBuilder(string[] args, bool backgroundJobs = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Comx:Network:ForwardedHops"] = "0",

            // Local development only, so the DevHost starts with nothing configured (Core fails closed without them).
            // Nothing can sign with these outside this machine; set real values through environment variables to
            // receive Clerk or Stripe webhooks or accept Clerk sessions locally.
            ["Comx:Clerk:WebhookSecret"] = "whsec_ZGV2aG9zdC1sb2NhbC1vbmx5LWNsZXJrLXNlY3JldA==",
            ["Comx:Clerk:Issuer"] = "https://clerk.localhost.invalid",
            ["Comx:Clerk:JwksUrl"] = "http://127.0.0.1:9/.well-known/jwks.json",
            ["Comx:Stripe:WebhookSecret"] = "whsec_devhost_local_only_stripe_secret",
            ["Comx:Stripe:PricePlans"] = "price_dev_pro=pro,price_dev_school=school",
        });
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Above the pipeline's own limits (ServerLimits), so an over-long target or oversized headers reach the
            // pipeline and are refused with the error envelope rather than Kestrel's empty 414/431.
            kestrel.Limits.MaxRequestLineSize = 4 * ServerLimits.MaxTargetLength;
            kestrel.Limits.MaxRequestHeadersTotalSize = 4 * ServerLimits.MaxHeadersLength;
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => KestrelRefusals.Filter(next, listen.ApplicationServices.GetRequiredService<Comx.Core.IdGenerator>())));
        });
        builder.Logging.AddFilter("Azure.Core", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Azurite first: hosted services start in registration order, and Core's storage start-up needs it.
        builder.Services.AddHostedService<AzuriteLauncher>();
        builder.Services.AddComxCore(builder.Configuration);

        builder.Services.AddOptions<DemoSeedOptions>().Bind(builder.Configuration.GetSection(DemoSeedOptions.Section));
        builder.Services.AddSingleton<DemoSeed>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoSeed>());
        if (backgroundJobs)
        {
            builder.Services.AddHostedService<QueueWorkers>();
            builder.Services.AddHostedService<TimerJobs>();
        }

        return builder;
    }

    public static WebApplication Configure(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var pipeline = app.Services.GetRequiredService<RequestPipeline>();
        app.Use(async (context, next) =>
        {
            if (DemoPage.Matches(context.Request))
            {
                await DemoPage.WriteAsync(context);
                return;
            }

            await next(context);
        });
        app.Run(async context =>
        {
            var result = await pipeline.DispatchAsync(context.Request, context.RequestAborted);
            await result.ExecuteAsync(context);
        });
        return app;
    }
}
