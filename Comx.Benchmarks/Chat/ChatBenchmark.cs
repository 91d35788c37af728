using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Comx.Benchmarks.Retrieval;
using Comx.Core.Identity;
using Comx.Core.Knowledge.Retrieval;
using Comx.Core.Storage;
using Comx.DevHost;
using Comx.Tests.Knowledge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Benchmarks.Chat;

/// <summary>
/// <c>POST /api/public/v1/chat/messages</c> end to end (real HTTP on Kestrel, the DevHost's composition, Azurite) on an
/// organisation with 2,000 chunks embedded by the local model (so every message embeds its question), next to a bare loop that issues the same storage calls the handler makes, in the
/// same order and grouping (the floor). Storage round trips are counted from the HTTP client's own metrics.
/// </summary>
internal static class ChatBenchmark
{
    private const int Chunks = 2_000;
    private const int WarmUp = 40;
    private const int Measured = 400;
    private const int Concurrency = 4;
    private const int MessagesPerSession = 15;

    /// <summary>Azurite (started when not running) and the DevHost on a loopback port, as every benchmark here runs them.</summary>
    public static async Task<BenchHost> StartHostAsync(TextWriter output)
    {
        var azurite = await AzuriteProcess.EnsureRunningAsync(null, output);
        var (app, _) = await Comx.Benchmarks.BenchHost.StartAsync();
        return new BenchHost(azurite, app);
    }

    /// <summary>Chat message p50 on an org against the storage floor's p50, sequentially after a warm-up.</summary>
    public static async Task<(double HandlerP50, double FloorP50)> MeasureAgainstFloorAsync(IServiceProvider services, HttpClient http, string widgetKey, string orgId,
        IReadOnlyList<string> questions, int warmUp, int measured)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(questions);
        var sessions = new List<(string Id, string Token)>();
        for (var i = 0; i < 8; i++)
        {
            using var create = new HttpRequestMessage(HttpMethod.Post, "/api/public/v1/chat/sessions") { Content = JsonContent.Create(new { widget_key = widgetKey }) };
            create.Headers.Add("X-Forwarded-For", $"10.66.{i}.1");
            using var created = await http.SendAsync(create);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            sessions.Add((body.GetProperty("session_id").GetString()!, body.GetProperty("session_token").GetString()!));
        }

        var sent = 0;
        async Task<double> SendOneAsync()
        {
            var n = Interlocked.Increment(ref sent);
            var (id, token) = sessions[n % sessions.Count];
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/v1/chat/messages")
            {
                Content = JsonContent.Create(new { session_id = id, message = questions[n % questions.Count] }),
            };
            request.Headers.Add("X-Session-Token", token);
            request.Headers.Add("X-Forwarded-For", $"10.{200 + (n / 62500 % 50)}.{(n / 250) % 250}.{n % 250 + 1}");
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return response.IsSuccessStatusCode ? elapsed : throw new InvalidOperationException($"chat message failed: {(int)response.StatusCode}");
        }

        var floor = new StorageFloor(services.GetRequiredService<ComxStorage>(), orgId, sessions[0].Id);
        await floor.PrepareAsync();
        return (await P50Async(SendOneAsync, warmUp, measured), await P50Async(floor.RunOnceAsync, warmUp, measured));
    }

    private static async Task<double> P50Async(Func<Task<double>> once, int warmUp, int measured)
    {
        for (var i = 0; i < warmUp; i++)
        {
            await once();
        }

        var latencies = new List<double>(measured);
        for (var i = 0; i < measured; i++)
        {
            latencies.Add(await once());
        }

        latencies.Sort();
        return latencies[latencies.Count / 2];
    }

    public static async Task RunAsync(TextWriter output)
    {
        await using var host = await StartHostAsync(output);
        using var storageCalls = new StorageCallCounter();
        var app = host.App;
        var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var storage = app.Services.GetRequiredService<ComxStorage>();

        // An organisation on the school plan with 2,000 chunks and a widget.
        var orgId = "org_bench_" + Guid.NewGuid().ToString("N")[..10];
        var directory = app.Services.GetRequiredService<OrgDirectory>();
        await directory.UpsertOrgAsync(orgId, "Benchmark School", "bench", 1);
        await directory.UpdateBillingAsync(orgId, org => { org.Plan = "School"; org.PlanStatus = "active"; return true; });
        var widget = await app.Services.GetRequiredService<WidgetSettingsStore>().GetOrCreateAsync(orgId);
        var corpus = RetrievalCorpus.Load();
        // Published as ingest publishes it: every chunk's vector and its answer units' vectors from the local model, so
        // each message embeds its question and ranks by BM25 fused with cosine, as in production.
        var embedStarted = Stopwatch.GetTimestamp();
        var embedded = await ChunkEmbedding.EmbedAsync(SyntheticCorpus.Build(corpus, Chunks), Bm25Index.Empty,
            app.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), CancellationToken.None);
        var embedSeconds = Stopwatch.GetElapsedTime(embedStarted).TotalSeconds;
        await app.Services.GetRequiredService<RetrievalIndexStore>().PublishAsync(orgId, embedded.Build());
        var questions = corpus.Questions.Select(q => q.Question).ToArray();

        using var http = new HttpClient { BaseAddress = baseAddress };
        var sessions = new List<(string Id, string Token)>();
        // Each session sends at most MessagesPerSession, under the per-session limit (ChatRateLimits.PerSession: 20 a minute).
        for (var i = 0; i < ((WarmUp + (2 * Measured)) / MessagesPerSession) + 2; i++)
        {
            using var create = new HttpRequestMessage(HttpMethod.Post, "/api/public/v1/chat/sessions") { Content = JsonContent.Create(new { widget_key = widget.WidgetKey }) };
            create.Headers.Add("X-Forwarded-For", $"10.9.{i % 250}.{(i / 250) + 1}");
            using var created = await http.SendAsync(create);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            sessions.Add((body.GetProperty("session_id").GetString()!, body.GetProperty("session_token").GetString()!));
        }

        var sent = 0;
        async Task<double> SendOneAsync()
        {
            var n = Interlocked.Increment(ref sent);
            var (id, token) = sessions[n / MessagesPerSession % sessions.Count];
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/v1/chat/messages")
            {
                Content = JsonContent.Create(new { session_id = id, message = questions[n % questions.Length] }),
            };
            request.Headers.Add("X-Session-Token", token);
            request.Headers.Add("X-Forwarded-For", $"10.{(n / 250) % 250}.{n % 250}.7"); // a fresh address: measure work, not the 429 path
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"chat message failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            return elapsed;
        }

        var floor = new StorageFloor(storage, orgId, sessions[0].Id);
        await floor.PrepareAsync();

        var handler = await MeasureAsync("POST chat/messages", SendOneAsync, storageCalls);
        var bare = await MeasureAsync("floor: same storage calls", floor.RunOnceAsync, storageCalls);

        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        output.WriteLine($"Chat message benchmark: {Chunks:N0} chunks with local-model vectors ({embedded.EmbeddedChunks:N0} chunks and {embedded.EmbeddedUnits:N0} answer units " +
            string.Create(CultureInfo.InvariantCulture, $"embedded in {embedSeconds:F0} s), {Measured} sequential requests after {WarmUp} warm-up, then {Measured} at concurrency {Concurrency}; load average {load}."));
        output.WriteLine();
        output.WriteLine("| | p50 | p99 | req/s (sequential) | req/s (concurrency 4) | storage round trips per message |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var row in new[] { handler, bare })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.P50:F1} ms | {row.P99:F1} ms | {row.SequentialRate:F0} | {row.ConcurrentRate:F0} | {row.StorageCallsPerOp:F1} |"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p50 ratio handler/floor: {handler.P50 / bare.P50:F2} (target ≤ 1.5)"));
    }

    /// <summary>A running DevHost and the Azurite it uses; disposing stops both (Azurite only if this run started it).</summary>
    internal sealed class BenchHost(IAsyncDisposable azurite, WebApplication app) : IAsyncDisposable
    {
        public WebApplication App => app;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await azurite.DisposeAsync();
        }
    }

    private static async Task<Result> MeasureAsync(string name, Func<Task<double>> once, StorageCallCounter counter)
    {
        for (var i = 0; i < WarmUp; i++)
        {
            await once();
        }

        counter.Reset();
        var latencies = new List<double>(Measured);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Measured; i++)
        {
            latencies.Add(await once());
        }

        var sequentialSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var callsPerOp = (double)counter.Count / Measured;

        var concurrentStarted = Stopwatch.GetTimestamp();
        var remaining = Measured;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await once();
            }
        }));
        var concurrentSeconds = Stopwatch.GetElapsedTime(concurrentStarted).TotalSeconds;

        latencies.Sort();
        return new Result(name, latencies[latencies.Count / 2], latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1],
            Measured / sequentialSeconds, Measured / concurrentSeconds, callsPerOp);
    }

    private sealed record Result(string Name, double P50, double P99, double SequentialRate, double ConcurrentRate, double StorageCallsPerOp);

    /// <summary>Counts HTTP requests to the storage emulator's ports, from System.Net.Http's request-duration metric.</summary>
    private sealed class StorageCallCounter : IDisposable
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

    /// <summary>The floor (<see cref="ChatStorageFloor"/>) over 16 threads of one organisation, one message per call.</summary>
    private sealed class StorageFloor(ComxStorage storage, string orgId, string sessionId)
    {
        private readonly string[] _threads = [.. Enumerable.Range(0, 16).Select(i => $"thr_floor_{Guid.NewGuid():N}"[..20] + i)];
        private int _n;

        public async Task PrepareAsync()
        {
            foreach (var thread in _threads)
            {
                await ChatStorageFloor.CreateThreadAsync(storage, orgId, thread);
            }
        }

        public async Task<double> RunOnceAsync()
        {
            var n = Interlocked.Increment(ref _n);
            var started = Stopwatch.GetTimestamp();
            await ChatStorageFloor.SendMessageAsync(storage, orgId, sessionId, _threads[n % _threads.Length], n);
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }
}
