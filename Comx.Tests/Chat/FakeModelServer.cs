using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Chat;

/// <summary>
/// An OpenAI-compatible chat completions endpoint on loopback, standing in for the model provider we cannot reach
/// from tests. The real OpenAI client (through Microsoft.Extensions.AI) talks to it over HTTP.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeModelServer(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>What the next completion returns: a reply text, or an HTTP status to fail with.</summary>
    public string Reply { get; set; } = "";

    public int? FailWith { get; set; }

    public int Calls { get; private set; }

    public string? LastRequest { get; private set; }

    public string Endpoint { get; }

    public static async Task<FakeModelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeModelServer? server = null;
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            server!.Calls++;
            server.LastRequest = await new StreamReader(context.Request.Body).ReadToEndAsync();
            if (server.FailWith is { } status)
            {
                context.Response.StatusCode = status;
                await context.Response.WriteAsJsonAsync(new { error = new { message = "upstream overloaded", type = "server_error" } });
                return;
            }

            await context.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-test",
                @object = "chat.completion",
                created = 1_767_225_600,
                model = "test-model",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = server.Reply }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
            });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeModelServer(app, address + "/v1");
        return server;
    }

    public Dictionary<string, string?> Settings(bool fallbackToExtractive = false) => new()
    {
        ["Comx:Ai:Endpoint"] = Endpoint,
        ["Comx:Ai:ApiKey"] = "test-key",
        ["Comx:Ai:Model"] = "test-model",
        ["Comx:Ai:FallbackToExtractive"] = fallbackToExtractive ? "true" : "false",
        ["Comx:Ai:Timeout"] = "00:00:05",
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
