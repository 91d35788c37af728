using System.Diagnostics.Metrics;
using Comx.DevHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Comx.Benchmarks;

/// <summary>The DevHost's real composition on Kestrel (loopback, a free port) over the local Azurite, as the benchmarks run it.</summary>
internal static class BenchHost
{
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync()
    {
        var builder = DevHostApp.CreateBuilder([], backgroundJobs: false);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Comx:Network:ForwardedHops"] = "1",
            ["Comx:Clerk:WebhookSecret"] = "whsec_IkK0FiKjAjLF9Ey8QGFI0/c9DLHX/Y72",
            ["Comx:Clerk:Issuer"] = "https://clerk.bench.example",
            ["Comx:Clerk:JwksUrl"] = "http://127.0.0.1:9/.well-known/jwks.json",
            ["Comx:Stripe:WebhookSecret"] = "whsec_79bd93868e08aad7b1a2a9944df2b17b",
            ["Comx:Stripe:PricePlans"] = "price_pro=pro",
        });
        var app = DevHostApp.Configure(builder.Build());
        await app.StartAsync();
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }
}

/// <summary>Counts HTTP requests to the storage emulator's ports, from System.Net.Http's request-duration metric.</summary>
internal sealed class StorageCallCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public StorageCallCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port" && tag.Value is int port && port is >= AzuriteProcess.BlobPort and <= AzuriteProcess.TablePort)
                {
                    Interlocked.Increment(ref _count);
                }
            }
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public void Dispose() => _listener.Dispose();
}
