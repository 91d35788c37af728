using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Comx.Benchmarks.Retrieval;
using Comx.Core.Identity;
using Comx.Core.Knowledge.Retrieval;
using Comx.Core.Storage;
using Comx.Tests.Knowledge;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Benchmarks.Load;

/// <summary>
/// A whole class at once (issue 21): N concurrent widget visitors sending chat messages through real HTTP to the
/// DevHost on Azurite, all on one organisation and then spread over 20, next to the storage floor at the same
/// concurrency: the storage calls one message needs (<see cref="ChatStorageFloor"/>), measured the same way (a request
/// from this load generator through the same Kestrel to a route that makes them) and, for reference, as a bare SDK loop. While each run goes, one more visitor on an
/// organisation of its own sends one message at a time (the probe): its p50 with the load on one organisation against
/// its p50 with the same load spread over 20 says whether one organisation's load slows the others'. It runs its
/// own in-memory Azurite on ports 20000–20002, so other users of the shared emulator do not queue its requests.
/// </summary>
internal static class LoadBenchmark
{
    private const int Orgs = 20;
    private const int Chunks = 2_000;
    private const int MessagesPerSession = 15; // under the per-session limit of 20 a minute
    private const int Rounds = 3;
    private static readonly int[] Concurrencies = [1, 8, 32, 100];
    private static readonly string[] Wordings = ["", "Can you tell me: ", "Quick question: ", "Could you say: ", "I was wondering, ", "Do you know: ", "Sorry to ask, ", "One more thing: "];

    /// <param name="output">Where the table goes.</param>
    /// <param name="args">
    /// Optionally the concurrencies to run, comma-separated (<c>-- load 1,8</c>), to iterate on a subset; and
    /// <c>vectors</c> (<c>-- load 1,8,32 vectors</c>): the organisations' indexes carry the local model's vectors, as
    /// ingest publishes them, and the questions come in varied wordings, so each message embeds its question (the
    /// model's cost under a classroom's load; a few minutes more to embed the index once).
    /// </param>
    public static async Task RunAsync(TextWriter output, string[] args)
    {
        var withVectors = args.Contains("vectors", StringComparer.Ordinal);
        var numbers = args.Where(a => a != "vectors").ToArray();
        int[] concurrencies = numbers.Length > 0 ? [.. numbers[0].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))] : Concurrencies;
        ThreadPool.SetMinThreads(256, 256);
        await using var azurite = await OwnAzurite.StartAsync();
        using var calls = new StorageCallCounter(OwnAzurite.BlobPort, OwnAzurite.TablePort);
        var meters = new Meters(calls, azurite);
        var (started, baseAddress) = await BenchHost.StartAsync(OwnAzurite.ConnectionString, HttpFloor.HandleAsync);
        await using var app = started;
        var storage = app.Services.GetRequiredService<ComxStorage>();
        var corpus = RetrievalCorpus.Load();
        var index = withVectors
            ? (await ChunkEmbedding.EmbedAsync(SyntheticCorpus.Build(corpus, Chunks), Bm25Index.Empty,
                app.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), CancellationToken.None)).Build()
            : Bm25Index.Build(SyntheticCorpus.Build(corpus, Chunks));
        // With vectors, 8 wordings of each question: more questions than the per-instance cache of question vectors holds.
        string[] questions = withVectors
            ? [.. Wordings.SelectMany(w => corpus.Questions.Select(q => w + q.Question))]
            : [.. corpus.Questions.Select(q => q.Question)];

        var orgs = new List<BenchOrg>();
        for (var i = 0; i <= Orgs; i++)
        {
            orgs.Add(await BenchOrg.SeedAsync(app.Services, index, i));
        }

        var (hot, spread, probeOrg) = (orgs[0], orgs.Take(Orgs).ToArray(), orgs[Orgs]);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1_000 }) { BaseAddress = baseAddress };
        var visitors = new Visitors(http, questions);
        var (floor, bareFloor) = (new HttpFloor(http), new StorageFloor(storage));

        // Warm-up: JIT, connection pools, every org's index loaded and cached; then the handler and both floors at 8
        // visitors until the JIT's later tiers are in, or the first row measures compilation (its floor ran 1.7× slower).
        foreach (var org in orgs)
        {
            await RunAsync(1, 10, await visitors.PoolAsync([org], 1, 10), null, visitors.SendAsync, meters);
        }

        var warmFloor = await bareFloor.PoolAsync([hot], 8);
        for (var i = 0; i < 2; i++)
        {
            await RunAsync(8, 300, await visitors.PoolAsync([hot], 8, 300), null, visitors.SendAsync, meters);
            await RunAsync(8, 300, warmFloor, null, floor.SendAsync, meters);
            await RunAsync(8, 300, warmFloor, null, bareFloor.SendAsync, meters);
            await ClearAppendedRowsAsync(storage, [hot.OrgId]);
        }

        var idleProbe = Run.Of([await RunAsync(1, 60, await visitors.PoolAsync([probeOrg], 1, 60), null, visitors.SendAsync, meters)]);
        output.WriteLine($"Load benchmark: {Chunks:N0} chunks per organisation{(withVectors ? " with the local model's vectors, each question embedded" : "")}, {Orgs} organisations, {Environment.ProcessorCount} cores.");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Idle probe (one visitor, nothing else running): p50 {idleProbe.P50:F1} ms, p95 {idleProbe.P95:F1} ms, {idleProbe.StorageCallsPerMessage:F1} storage round trips per message."));
        output.WriteLine();
        output.WriteLine("| organisations | visitors | messages | msg/s | p50 | p95 | p99 | errors | round trips/msg | floor msg/s | floor p50 | floor p95 | msg/s vs floor | p95 vs floor | bare floor msg/s | bare floor p95 | msg/s vs bare | p95 vs bare | probe p50 | CPU ms/msg host, emulator | floor's | bare floor's |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var (probes, bareProbes) = (new Dictionary<(int, bool), double>(), new Dictionary<(int, bool), double>());
        foreach (var concurrency in concurrencies)
        {
            // Rounds of a few seconds at least: shorter ones made single rows swing by ±0.1 between runs.
            var messages = Math.Max(600, concurrency * 15) / Rounds * Rounds;
            foreach (var isSpread in new[] { false, true })
            {
                BenchOrg[] targets = isSpread ? spread : [hot];
                // Handler and floors alternate in three rounds, so a change in the shared machine's load hits them alike.
                var (probe, bareProbe) = (new ConcurrentBag<Sample>(), new ConcurrentBag<Sample>());
                var (handlerWork, probeWork) = (await visitors.PoolAsync(targets, concurrency, messages), await visitors.PoolAsync([probeOrg], 1, messages * 2));
                var (floorWork, floorProbe) = (await bareFloor.PoolAsync(targets, concurrency), await bareFloor.PoolAsync([probeOrg], 1));
                var (handlerBatches, floorBatches, bareBatches) = (new List<Batch>(), new List<Batch>(), new List<Batch>());
                string[] inPlay = [.. targets.Select(t => t.OrgId), probeOrg.OrgId];
                for (var round = 0; round < Rounds; round++)
                {
                    await ClearAppendedRowsAsync(storage, inPlay);
                    handlerBatches.Add(await RunAsync(concurrency, messages / Rounds, handlerWork, (probeWork, probe), visitors.SendAsync, meters));
                    await ClearAppendedRowsAsync(storage, inPlay);
                    floorBatches.Add(await RunAsync(concurrency, messages / Rounds, floorWork, (floorProbe, new ConcurrentBag<Sample>()), floor.SendAsync, meters));
                    await ClearAppendedRowsAsync(storage, inPlay);
                    bareBatches.Add(await RunAsync(concurrency, messages / Rounds, floorWork, (floorProbe, bareProbe), bareFloor.SendAsync, meters));
                }

                var (handler, over, bare) = (Run.Of(handlerBatches), Run.Of(floorBatches), Run.Of(bareBatches));
                var probeP50 = Percentile([.. probe.Where(s => s.Ok).Select(s => s.Milliseconds)], 0.50);
                probes[(concurrency, isSpread)] = probeP50;
                bareProbes[(concurrency, isSpread)] = Percentile([.. bareProbe.Select(s => s.Milliseconds)], 0.50);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(isSpread ? Orgs : 1)} | {concurrency} | {handler.Messages} | {handler.Rate:F0} | {handler.P50:F0} ms | {handler.P95:F0} ms | {handler.P99:F0} ms | {handler.Errors} | {handler.StorageCallsPerMessage:F1} | {over.Rate:F0} | {over.P50:F0} ms | {over.P95:F0} ms | {handler.Rate / over.Rate:F2} | {handler.P95 / over.P95:F2} | {bare.Rate:F0} | {bare.P95:F0} ms | {handler.Rate / bare.Rate:F2} | {handler.P95 / bare.P95:F2} | {probeP50:F0} ms | {handler.HostCpuPerMessage:F1}, {handler.StorageCpuPerMessage:F1} | {over.HostCpuPerMessage:F1}, {over.StorageCpuPerMessage:F1} | {bare.HostCpuPerMessage:F1}, {bare.StorageCpuPerMessage:F1} |"));
                if (handler.ErrorSummary.Length > 0)
                {
                    output.WriteLine($"|   errors: {handler.ErrorSummary} |");
                }
            }
        }

        output.WriteLine();
        output.WriteLine("Probe p50 with the load on one organisation / with the same load spread over 20 (target ≤ 1.20):");
        foreach (var concurrency in concurrencies)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- {concurrency} visitors: {probes[(concurrency, false)]:F0} ms / {probes[(concurrency, true)]:F0} ms = {probes[(concurrency, false)] / probes[(concurrency, true)]:F2}"));
        }

        // The same comparison for the bare floor's calls: how much the emulator itself slows one organisation's storage
        // calls when another organisation's load is on one partition rather than spread, with no handler involved.
        output.WriteLine();
        output.WriteLine("The same for the bare floor (a probe making the floor's calls for an organisation of its own while the bare floor runs):");
        foreach (var concurrency in concurrencies)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- {concurrency} visitors: {bareProbes[(concurrency, false)]:F1} ms / {bareProbes[(concurrency, true)]:F1} ms = {bareProbes[(concurrency, false)] / bareProbes[(concurrency, true)]:F2}"));
        }

        await app.StopAsync();
    }

    /// <summary>
    /// Deletes the messages, answers and outbox events that the organisations' conversation partitions have piled up,
    /// before each batch. The in-memory emulator finds a row by scanning its partition, so its cost per call grows with
    /// the partition (over one run the emulator's CPU per message on one organisation went from 8 to 63 ms, for the
    /// floor as much as for the handler); Table Storage's point operations do not. The threads and their listing rows
    /// stay, so sessions go on where they were. Not measured.
    /// </summary>
    private static async Task ClearAppendedRowsAsync(ComxStorage storage, IEnumerable<string> orgIds)
    {
        var table = storage.Table(StorageNames.Tables.Conversations);
        foreach (var orgId in orgIds)
        {
            foreach (var (from, to) in AppendedRows)
            {
                var rows = new List<Azure.Data.Tables.ITableEntity>();
                await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(
                    Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {from} and RowKey lt {to}"), select: ["PartitionKey", "RowKey"]))
                {
                    rows.Add(row);
                }

                await TableBatches.DeleteAsync(table, rows);
            }
        }
    }

    // Answers, messages and outbox events: the rows a message adds (threads and listing rows are replaced, not added).
    private static readonly (string From, string To)[] AppendedRows = [("a|", "a}"), ("m|", "m}"), ("o|", "o}")];

    /// <summary>
    /// Runs <paramref name="messages"/> operations over <paramref name="concurrency"/> workers (each takes its next
    /// visitor from <paramref name="work"/>), plus the probe's one-at-a-time loop while they run.
    /// </summary>
    private static async Task<Batch> RunAsync<T>(int concurrency, int messages, ConcurrentQueue<T> work, (ConcurrentQueue<T> Work, ConcurrentBag<Sample> Samples)? probe,
        Func<T, int, Task<Sample>> send, Meters meters)
        where T : class
    {
        var samples = new ConcurrentBag<Sample>();
        var remaining = messages;
        var done = 0;
        var probed = 0;
        meters.Calls.Reset();
        var (hostCpu, storageCpu) = (Environment.CpuUsage.TotalTime, meters.Azurite.ProcessorTime);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                samples.Add(await Next(work, send));
            }
        })).ToList();
        var probing = probe is { } p ? Task.Run(async () =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                p.Samples.Add(await Next(p.Work, send));
                probed++;
            }
        }) : Task.CompletedTask;
        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Volatile.Write(ref done, 1);
        await probing;
        return new Batch([.. samples], seconds, meters.Calls.Count, messages + probed,
            (Environment.CpuUsage.TotalTime - hostCpu).TotalMilliseconds, (meters.Azurite.ProcessorTime - storageCpu).TotalMilliseconds);
    }

    /// <summary>One message from the visitor at the head of the queue; it goes back to the tail while its session has room.</summary>
    private static async Task<Sample> Next<T>(ConcurrentQueue<T> work, Func<T, int, Task<Sample>> send)
        where T : class
    {
        T? item;
        while (!work.TryDequeue(out item))
        {
            await Task.Yield();
        }

        var n = Interlocked.Increment(ref _sent);
        try
        {
            return await send(item, n);
        }
        finally
        {
            work.Enqueue(item);
        }
    }

    private static int _sent;

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[Math.Clamp((int)Math.Ceiling(values.Count * p) - 1, 0, values.Count - 1)];
    }

    /// <summary>What a batch is measured with besides the clock: storage round trips, and the CPU of this process and of the emulator.</summary>
    private sealed record Meters(StorageCallCounter Calls, OwnAzurite Azurite);

    /// <summary>
    /// One batch's samples and meters; <c>HostCpuMs</c> is the CPU of this process (the host, the load generator and the
    /// probe), <c>StorageCpuMs</c> the emulator's.
    /// </summary>
    private sealed record Batch(IReadOnlyList<Sample> Samples, double Seconds, long StorageCalls, int AllMessages, double HostCpuMs, double StorageCpuMs);

    private sealed record Run(int Messages, double Rate, double P50, double P95, double P99, int Errors, string ErrorSummary, double StorageCallsPerMessage,
        double HostCpuPerMessage, double StorageCpuPerMessage)
    {
        public static Run Of(IReadOnlyList<Batch> batches)
        {
            var samples = batches.SelectMany(b => b.Samples).ToList();
            var ok = samples.Where(s => s.Ok).Select(s => s.Milliseconds).ToList();
            var errors = samples.Where(s => !s.Ok).GroupBy(s => s.Status).Select(g => $"{g.Count()} × {g.Key}");
            return new Run(samples.Count, samples.Count / batches.Sum(b => b.Seconds), Percentile(ok, 0.50), Percentile(ok, 0.95), Percentile(ok, 0.99),
                samples.Count - ok.Count, string.Join(", ", errors), (double)batches.Sum(b => b.StorageCalls) / batches.Sum(b => b.AllMessages),
                batches.Sum(b => b.HostCpuMs) / batches.Sum(b => b.AllMessages), batches.Sum(b => b.StorageCpuMs) / batches.Sum(b => b.AllMessages));
        }
    }

    private readonly record struct Sample(double Milliseconds, bool Ok, int Status);

    private sealed record BenchOrg(string OrgId, string WidgetKey)
    {
        public const string Origin = "https://www.bench.example";

        public static async Task<BenchOrg> SeedAsync(IServiceProvider services, Bm25Index index, int n)
        {
            var orgId = $"org_load{n:D2}_" + Guid.NewGuid().ToString("N")[..8];
            var directory = services.GetRequiredService<OrgDirectory>();
            await directory.UpsertOrgAsync(orgId, $"Load School {n}", $"load{n}", 1);
            await directory.UpdateBillingAsync(orgId, org => { org.Plan = "School"; org.PlanStatus = "active"; return true; });
            var widgets = services.GetRequiredService<WidgetSettingsStore>();
            await widgets.GetOrCreateAsync(orgId);
            var widget = await widgets.UpdateAsync(orgId, new WidgetSettingsRequest([Origin], "Hello", HandoffEnabled: true));
            await services.GetRequiredService<RetrievalIndexStore>().PublishAsync(orgId, index);
            return new BenchOrg(orgId, widget.WidgetKey);
        }
    }

    /// <summary>Widget visitors: a session each, used for at most <see cref="MessagesPerSession"/> messages, from a fresh address per request.</summary>
    private sealed class Visitors(HttpClient http, string[] questions)
    {
        private int _addresses;

        public async Task<ConcurrentQueue<Visitor>> PoolAsync(IReadOnlyList<BenchOrg> orgs, int concurrency, int messages)
        {
            // Enough sessions that none is used more than MessagesPerSession times, and at least one per worker.
            var count = Math.Max(concurrency + 1, (messages / MessagesPerSession) + concurrency + 1);
            var queue = new ConcurrentQueue<Visitor>();
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var org = orgs[i % orgs.Count];
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/v1/chat/sessions") { Content = JsonContent.Create(new { widget_key = org.WidgetKey }) };
                request.Headers.Add("X-Forwarded-For", NextAddress());
                request.Headers.Add("Origin", BenchOrg.Origin);
                using var created = await http.SendAsync(request, ct);
                var body = await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(ct);
                queue.Enqueue(new Visitor(body.GetProperty("session_id").GetString()!, body.GetProperty("session_token").GetString()!));
            });
            return queue;
        }

        public async Task<Sample> SendAsync(Visitor visitor, int n)
        {
            if (visitor.Sent >= MessagesPerSession)
            {
                throw new InvalidOperationException("The benchmark ran out of sessions; it would measure the per-session limit instead of the work.");
            }

            visitor.Sent++;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/v1/chat/messages")
            {
                Content = JsonContent.Create(new { session_id = visitor.SessionId, message = questions[n % questions.Length] }),
            };
            request.Headers.Add("X-Session-Token", visitor.Token);
            request.Headers.Add("X-Forwarded-For", NextAddress()); // measure the work, not the per-IP 429 path
            request.Headers.Add("Origin", BenchOrg.Origin);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.IsSuccessStatusCode, (int)response.StatusCode);
        }

        private string NextAddress()
        {
            var n = Interlocked.Increment(ref _addresses);
            return $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}";
        }
    }

    private sealed class Visitor(string sessionId, string token)
    {
        public string SessionId { get; } = sessionId;

        public string Token { get; } = token;

        public int Sent { get; set; }
    }

    /// <summary>
    /// The floor (<see cref="ChatStorageFloor"/>: the 8 calls one message needs) for a pool of visitors, each with its own
    /// thread, as each session has. The outbox's pending marker is not there: it is written once per 15 s per
    /// organisation, not per message.
    /// </summary>
    private sealed class StorageFloor(ComxStorage storage)
    {
        public async Task<ConcurrentQueue<FloorVisitor>> PoolAsync(IReadOnlyList<BenchOrg> orgs, int concurrency)
        {
            var queue = new ConcurrentQueue<FloorVisitor>();
            for (var i = 0; i <= concurrency; i++)
            {
                var visitor = new FloorVisitor(orgs[i % orgs.Count].OrgId, $"thr_floor_{Guid.NewGuid():N}"[..24]);
                await ChatStorageFloor.CreateThreadAsync(storage, visitor.OrgId, visitor.ThreadId);
                queue.Enqueue(visitor);
            }

            return queue;
        }

        public async Task<Sample> SendAsync(FloorVisitor visitor, int n)
        {
            var started = Stopwatch.GetTimestamp();
            await ChatStorageFloor.SendMessageAsync(storage, visitor.OrgId, "ses_floor", visitor.ThreadId, n);
            return new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, true, 200);
        }
    }

    private sealed record FloorVisitor(string OrgId, string ThreadId);

    /// <summary>
    /// The same floor reached the way the handler is: a request from this load generator, with the widget's headers and
    /// a message body, through the same Kestrel to a route that makes the floor's storage calls and answers with a body
    /// the size of a chat answer. The difference to the handler is then what comxbot's pipeline and answer add to the
    /// storage calls a message needs, not the cost of HTTP, which the bare floor does not pay.
    /// </summary>
    private sealed class HttpFloor(HttpClient http)
    {
        // About the size of a chat message's response (the answer's text and its citations with snippets).
        private static readonly byte[] AnswerSizedBody = System.Text.Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(new { message_id = "msg_floor", answer = new { text = new string('a', 1_400) } }));

        private int _addresses;

        public static async Task HandleAsync(Microsoft.AspNetCore.Http.HttpContext context)
        {
            var request = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
            var storage = context.RequestServices.GetRequiredService<ComxStorage>();
            await ChatStorageFloor.SendMessageAsync(storage, request.GetProperty("org_id").GetString()!, "ses_floor", request.GetProperty("thread_id").GetString()!,
                request.GetProperty("n").GetInt32());
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(AnswerSizedBody);
        }

        public async Task<Sample> SendAsync(FloorVisitor visitor, int n)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, BenchHost.FloorPath)
            {
                Content = JsonContent.Create(new { org_id = visitor.OrgId, thread_id = visitor.ThreadId, n, message = "How do I apply for a school place?" }),
            };
            request.Headers.Add("X-Session-Token", "cst_floor");
            request.Headers.Add("X-Forwarded-For", $"10.200.{(Interlocked.Increment(ref _addresses) >> 8) & 255}.1");
            request.Headers.Add("Origin", BenchOrg.Origin);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.IsSuccessStatusCode, (int)response.StatusCode);
        }
    }
}
