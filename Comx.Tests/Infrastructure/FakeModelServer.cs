using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Comx.Tests.Infrastructure;

/// <summary>How the fake model answers.</summary>
public enum ModelBehaviour
{
    Reply,
    Fail,
    Hang,
}

/// <summary>
/// An OpenAI-compatible chat completions endpoint on loopback Kestrel (127.0.0.1, port 0) that replies, fails with 500
/// or hangs: the model provider we cannot reach from tests. The real OpenAI client (through Microsoft.Extensions.AI)
/// talks to it over HTTP.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private FakeModelServer(WebApplication app) => _app = app;

    public ModelBehaviour Behaviour { get; set; } = ModelBehaviour.Reply;

    /// <summary>What the model replies with when <see cref="Behaviour"/> is <see cref="ModelBehaviour.Reply"/>.</summary>
    public string ReplyText { get; set; } = "";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The body of the last completion request (the prompt the app sent).</summary>
    public string? LastRequest { get; private set; }

    /// <summary>The base URL to configure as <c>Comx:Ai:Endpoint</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public static async Task<FakeModelServer> StartAsync()
    {
        var app = LoopbackServer.Create();
        var server = new FakeModelServer(app);
        app.MapPost("/v1/chat/completions", async context =>
        {
            Interlocked.Increment(ref server._requests);
            server.LastRequest = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            switch (server.Behaviour)
            {
                case ModelBehaviour.Fail:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsJsonAsync(new { error = new { message = "model down", type = "server_error" } });
                    return;
                case ModelBehaviour.Hang:
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    return;
                default:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(JsonSerializer.Serialize(new
                    {
                        id = "chatcmpl-test",
                        @object = "chat.completion",
                        created = 1_700_000_000,
                        model = "test-model",
                        choices = new[] { new { index = 0, message = new { role = "assistant", content = server.ReplyText }, finish_reason = "stop" } },
                        usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
                    }));
                    return;
            }
        });
        var address = await LoopbackServer.StartAsync(app);
        server.Endpoint = address.TrimEnd('/') + "/v1";
        return server;
    }

    /// <summary>App settings that point Comx:Ai at this server.</summary>
    public Dictionary<string, string?> Settings(bool fallbackToExtractive = false, string timeout = "00:00:05") => new()
    {
        ["Comx:Ai:Endpoint"] = Endpoint,
        ["Comx:Ai:ApiKey"] = "test-key",
        ["Comx:Ai:Model"] = "test-model",
        ["Comx:Ai:FallbackToExtractive"] = fallbackToExtractive ? "true" : "false",
        ["Comx:Ai:Timeout"] = timeout,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
