using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Embeddings;

namespace Comx.Core.Embeddings;

/// <summary>Registers the one <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> the app embeds with.</summary>
public static class EmbeddingServices
{
    public static IServiceCollection AddComxEmbeddings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmbeddingOptions>().Bind(configuration.GetSection(EmbeddingOptions.Section));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
            return options.UsesEndpoint ? CreateEndpointGenerator(options) : new LocalEmbeddingGenerator();
        });
        services.AddHostedService<EmbeddingWarmUp>();
        return services;
    }

    /// <summary>The OpenAI-compatible <c>/embeddings</c> endpoint, built the way chat builds its client.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> CreateEndpointGenerator(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new EmbeddingClient(options.EmbeddingModel, new ApiKeyCredential(options.ApiKey ?? "none"),
            new OpenAIClientOptions { Endpoint = new Uri(options.Endpoint!), NetworkTimeout = options.Timeout, RetryPolicy = new ClientRetryPolicy(maxRetries: 1) });
        return client.AsIEmbeddingGenerator();
    }
}

/// <summary>
/// Loads the local model in the background as the host starts, so the first question does not wait 1–4 s for it.
/// Start-up itself does not wait: a question that arrives first simply joins the load in progress.
/// </summary>
internal sealed partial class EmbeddingWarmUp(IEmbeddingGenerator<string, Embedding<float>> generator, ILogger<EmbeddingWarmUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (generator is LocalEmbeddingGenerator && !LocalEmbeddingGenerator.IsLoaded)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    LocalEmbeddingGenerator.WarmUp();
                    LogLoaded(logger, LocalEmbeddingGenerator.LoadTime.TotalMilliseconds);
                }
#pragma warning disable CA1031 // A failed warm-up must not crash the host; the first real use reports the error.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogFailed(logger, ex);
                }
            }, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Local embedding model loaded in {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local embedding model failed to load at start")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
