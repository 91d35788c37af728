using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Comx.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (port 0) for the outside services tests stand in for: web pages to ingest, a
/// JWKS endpoint, a model provider, a webhook receiver. Create, map endpoints, then start.
/// </summary>
public static class LoopbackServer
{
    public static WebApplication Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        return builder.Build();
    }

    /// <summary>Starts the server and returns its address (http://127.0.0.1:port).</summary>
    public static async Task<string> StartAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync();
        return app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
    }
}
