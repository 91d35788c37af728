using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Comx.Tests.Identity;

/// <summary>A real JWKS endpoint on loopback Kestrel (127.0.0.1, port 0) whose key set a test can swap, and which counts requests.</summary>
internal sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private JwksServer(WebApplication app) => _app = app;

    /// <summary>The JSON served at <see cref="Url"/>; null answers 503.</summary>
    public string? Jwks { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    public Uri Url { get; private set; } = null!;

    public static async Task<JwksServer> StartAsync(string? jwks)
    {
        var app = LoopbackServer.Create();
        var server = new JwksServer(app) { Jwks = jwks };
        app.MapGet("/.well-known/jwks.json", () =>
        {
            Interlocked.Increment(ref server._requests);
            return server.Jwks is { } body ? Results.Text(body, "application/json") : Results.StatusCode(503);
        });
        var address = await LoopbackServer.StartAsync(app);
        server.Url = new Uri(new Uri(address), "/.well-known/jwks.json");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
