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
        });
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
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
        app.Run(async context =>
        {
            var result = await pipeline.DispatchAsync(context.Request, context.RequestAborted);
            await result.ExecuteAsync(context);
        });
        return app;
    }
}
