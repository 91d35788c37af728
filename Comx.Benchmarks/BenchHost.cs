using System.Diagnostics.Metrics;
using Comx.DevHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Comx.Benchmarks;

/// <summary>The DevHost's real composition on Kestrel (loopback, a free port) over the local Azurite, as the benchmarks run it.</summary>
internal static class BenchHost
{
    public const string FloorPath = "/bench/floor";

    /// <param name="storageConnection">The emulator to use.</param>
    /// <param name="floorRoute">
    /// When given, served at <see cref="FloorPath"/> ahead of the DevHost's pipeline: a benchmark's storage floor reached
    /// through the same Kestrel and HTTP client as the API (the load benchmark's floor "measured the same way").
    /// </param>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(string storageConnection = "UseDevelopmentStorage=true", RequestDelegate? floorRoute = null)
    {
        var builder = DevHostApp.CreateBuilder([], backgroundJobs: false);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storageConnection,
            ["Comx:Network:ForwardedHops"] = "1",
            ["Comx:Clerk:WebhookSecret"] = "whsec_IkK0FiKjAjLF9Ey8QGFI0/c9DLHX/Y72",
            ["Comx:Clerk:Issuer"] = "https://clerk.bench.example",
            ["Comx:Clerk:JwksUrl"] = "http://127.0.0.1:9/.well-known/jwks.json",
            ["Comx:Stripe:WebhookSecret"] = "whsec_79bd93868e08aad7b1a2a9944df2b17b",
            ["Comx:Stripe:PricePlans"] = "price_pro=pro",
        });
        var built = builder.Build();
        if (floorRoute is not null)
        {
            built.Map(FloorPath, branch => branch.Run(floorRoute));
        }

        var app = DevHostApp.Configure(built);
        await app.StartAsync();
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }
}

/// <summary>Counts HTTP requests to the storage emulator's ports, from System.Net.Http's request-duration metric.</summary>
internal sealed class StorageCallCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public StorageCallCounter(int firstPort = AzuriteProcess.BlobPort, int lastPort = AzuriteProcess.TablePort)
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
                if (tag.Key == "server.port" && tag.Value is int port && port >= firstPort && port <= lastPort)
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

/// <summary>
/// An Azurite of the benchmark's own, in memory on ports 20000–20002, so a measurement is not queued behind whatever
/// else uses the shared emulator on the default ports. Stopped (this process only) when disposed.
/// </summary>
internal sealed class OwnAzurite : IAsyncDisposable
{
    public const int BlobPort = 20000;
    public const int TablePort = 20002;
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly System.Diagnostics.Process _process;

    private OwnAzurite(System.Diagnostics.Process process, int blobPort)
    {
        _process = process;
        Connection = ConnectionFor(blobPort);
    }

    public static string ConnectionString => ConnectionFor(BlobPort);

    /// <summary>The CPU time the emulator's process has used so far (one Node.js thread does its work).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The connection string of this instance (its ports may differ from the defaults).</summary>
    public string Connection { get; }

    private static string ConnectionFor(int blobPort) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;"
        + $"QueueEndpoint=http://127.0.0.1:{blobPort + 1}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{blobPort + 2}/devstoreaccount1;";

    public static Task<OwnAzurite> StartAsync() => StartAsync(BlobPort);

    /// <summary>
    /// Starts on the first free triple of ports from <paramref name="firstBlobPort"/> in steps of 10 (blob, queue = +1,
    /// table = +2), so two benchmarks run side by side (another helper's, or the load benchmark) each get their own.
    /// </summary>
    public static async Task<OwnAzurite> StartOnFreePortsAsync(int firstBlobPort)
    {
        for (var blobPort = firstBlobPort; blobPort < firstBlobPort + 200; blobPort += 10)
        {
            var busy = await Task.WhenAll(AzuriteProcess.IsListeningAsync(blobPort), AzuriteProcess.IsListeningAsync(blobPort + 1), AzuriteProcess.IsListeningAsync(blobPort + 2));
            if (!busy.Any(b => b))
            {
                return await StartAsync(blobPort);
            }
        }

        throw new InvalidOperationException($"No free Azurite ports from {firstBlobPort}.");
    }

    public static async Task<OwnAzurite> StartAsync(int blobPort)
    {
        var tablePort = blobPort + 2;
        var root = AzuriteProcess.RepositoryRoot() ?? throw new InvalidOperationException("Cannot find the repository root.");
        var start = new System.Diagnostics.ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js"), "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--inMemoryPersistence", "--blobPort", $"{blobPort}", "--queuePort", $"{blobPort + 1}", "--tablePort", $"{tablePort}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 150; i++)
        {
            if ((await Task.WhenAll(AzuriteProcess.IsListeningAsync(blobPort), AzuriteProcess.IsListeningAsync(blobPort + 1), AzuriteProcess.IsListeningAsync(tablePort))).All(r => r))
            {
                return new OwnAzurite(process, blobPort);
            }

            await Task.Delay(200);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"Azurite did not start on ports {blobPort}-{tablePort}.");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
