using System.Text.Json;
using Comx.Core.Embeddings;
using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Embeddings;

/// <summary>
/// With <c>Comx:Ai:EmbeddingModel</c> set, the OpenAI-compatible <c>/embeddings</c> endpoint embeds instead of the local
/// model: the real OpenAI client talks to a loopback server standing in for the provider.
/// </summary>
public sealed class EmbeddingEndpointTests
{
    [Fact]
    public async Task ConfiguredEmbeddingModel_EmbedsThroughTheEndpoint()
    {
        var requests = new List<JsonElement>();
        await using var server = LoopbackServer.Create();
        server.MapPost("/v1/embeddings", async context =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var inputs = body.RootElement.GetProperty("input").EnumerateArray().Select(i => i.GetString()!).ToArray();
            lock (requests)
            {
                requests.Add(body.RootElement.Clone());
            }

            await context.Response.WriteAsJsonAsync(new
            {
                @object = "list",
                model = "remote-embedder",
                data = inputs.Select((text, i) => new { @object = "embedding", index = i, embedding = new[] { text.Length, 1f, 0f } }),
                usage = new { prompt_tokens = 4, total_tokens = 4 },
            });
        });
        var address = (await LoopbackServer.StartAsync(server)).TrimEnd('/') + "/v1";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Comx:Ai:Endpoint"] = address,
            ["Comx:Ai:ApiKey"] = "test-key",
            ["Comx:Ai:EmbeddingModel"] = "remote-embedder",
        }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddComxEmbeddings(configuration).BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var embeddings = await generator.GenerateAsync(["hi", "hello there"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.IsNotType<LocalEmbeddingGenerator>(generator);
        Assert.Equal([2f, 1f, 0f], embeddings[0].Vector.ToArray());
        Assert.Equal([11f, 1f, 0f], embeddings[1].Vector.ToArray());
        var request = Assert.Single(requests);
        Assert.Equal("remote-embedder", request.GetProperty("model").GetString());
    }

    [Fact]
    public void WithoutEmbeddingModel_TheLocalModelEmbeds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Comx:Ai:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Comx:Ai:Model"] = "chat-only",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddComxEmbeddings(configuration).BuildServiceProvider();

        Assert.IsType<LocalEmbeddingGenerator>(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
    }
}
