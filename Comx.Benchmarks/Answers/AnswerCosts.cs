using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Comx.Core.Embeddings;
using Comx.Core.Knowledge.Content;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Benchmarks.Answers;

/// <summary>
/// What the local model costs (<c>-- answers-costs</c>, and the last section of <c>-- answers</c>): cold load (session
/// and first inference) and the memory it holds, each measured in a fresh process, since this one may have loaded the
/// model already; query embedding latency over the public questions, one at a time, with the CPU time each took (so
/// waiting for a core on a busy machine shows apart from work); and ingest throughput with vectors: the StackFAQ pages
/// chunked as ingest chunks them, every chunk and answer unit embedded, the index built and serialised (the storage
/// writes of a real ingest are left out; the answers benchmark's ingest row includes them).
/// </summary>
internal static class AnswerCosts
{
    /// <summary>The argument a child process is started with to measure a cold load.</summary>
    public const string ColdArgument = "answers-costs-cold";

    private const int ColdRuns = 3;

    public static async Task RunAsync(TextWriter output)
    {
        var dataDir = Path.Combine(AppContext.BaseDirectory, "Answers", "Data");
        var entries = JsonSerializer.Deserialize<List<FaqEntry>>(File.ReadAllText(Path.Combine(dataDir, "stackfaq-subset.json")), JsonOptions)!;
        var squad = File.ReadLines(Path.Combine(dataDir, "squad-dev-questions.txt")).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('|', 3)[2]);
        var questions = entries.SelectMany(e => e.Paraphrases).Concat(squad).ToList();

        var cold = new List<ColdLoad>();
        for (var i = 0; i < ColdRuns; i++)
        {
            cold.Add(await MeasureColdLoadAsync());
        }

        var generator = new LocalEmbeddingGenerator();
        LocalEmbeddingGenerator.WarmUp();
        var (wall, cpu) = await QueryLatencyAsync(generator, questions);
        var ingest = await IngestAsync(generator, entries);
        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0] : "?";

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Local model costs (all-MiniLM-L6-v2 on ONNX Runtime, {Environment.ProcessorCount} cores, load average {load} at the end):"));
        output.WriteLine();
        output.WriteLine("| | value |");
        output.WriteLine("|---|---:|");
        cold.Sort((a, b) => a.LoadMs.CompareTo(b.LoadMs));
        var median = cold[cold.Count / 2];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| cold load: session + first inference, fresh process (median of {cold.Count}; range) | {median.LoadMs:F0} ms ({cold[0].LoadMs:F0}–{cold[^1].LoadMs:F0}) |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| first question after the load | {median.FirstQueryMs:F1} ms |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| memory held by the loaded model: working set growth / managed heap growth | {median.WorkingSetMb:F0} MB / {median.ManagedMb:F0} MB |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| query embedding, one at a time ({wall.Count} public questions): p50 / p90 / p99 wall | {P(wall, 0.5):F1} / {P(wall, 0.9):F1} / {P(wall, 0.99):F1} ms |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| query embedding CPU time: p50 / p90 | {P(cpu, 0.5):F1} / {P(cpu, 0.9):F1} ms |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| ingest with vectors: {ingest.Chunks} chunks and {ingest.Units} answer units embedded, index built and serialised | {ingest.Chunks / ingest.Seconds:F1} chunks/s ({ingest.Seconds:F1} s; {ingest.Units / ingest.Seconds:F0} units/s) |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| re-ingest of the same pages (every vector reused) | {ingest.ReuseMs:F0} ms |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| index blob: chunk vectors / answer-unit vectors | {ingest.BlobBytesWithout / 1024.0:F0} KB / +{(ingest.BlobBytes - ingest.BlobBytesWithout) / 1024.0:F0} KB |"));
    }

    /// <summary>The child process's side: load the model, report what it took, exit.</summary>
    public static int MeasureColdLoadHere(TextWriter output)
    {
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var workingSet = self.WorkingSet64;
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var started = Stopwatch.GetTimestamp();
        LocalEmbeddingGenerator.WarmUp();
        var loadMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        started = Stopwatch.GetTimestamp();
        using var generator = new LocalEmbeddingGenerator();
        _ = generator.GenerateAsync(["When is the spring half term?"]).GetAwaiter().GetResult();
        var firstQueryMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        GC.Collect();
        self.Refresh();
        var result = new ColdLoad(loadMs, firstQueryMs, (self.WorkingSet64 - workingSet) / 1048576.0, (GC.GetTotalMemory(true) - managed) / 1048576.0);
        output.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static async Task<ColdLoad> MeasureColdLoadAsync()
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(AnswerCosts).Assembly.Location);
        }

        start.ArgumentList.Add(ColdArgument);
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = text.Split('\n').LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"The cold-load process printed no result (exit {process.ExitCode}): {text}");
        return JsonSerializer.Deserialize<ColdLoad>(line)!;
    }

    private static async Task<(List<double> Wall, List<double> Cpu)> QueryLatencyAsync(LocalEmbeddingGenerator generator, IReadOnlyList<string> questions)
    {
        var wall = new List<double>(questions.Count);
        var cpu = new List<double>(questions.Count);
        foreach (var question in questions)
        {
            var cpuBefore = ProcessCpu();
            var started = Stopwatch.GetTimestamp();
            _ = await generator.GenerateAsync([question]);
            wall.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            cpu.Add((ProcessCpu() - cpuBefore).TotalMilliseconds);
        }

        wall.Sort();
        cpu.Sort();
        return (wall, cpu);
    }

    /// <summary>
    /// The process's CPU time. The local generator runs on the caller's thread (ONNX Runtime with one intra-op thread) and
    /// nothing else runs here meanwhile, so the difference around one call is that call's work.
    /// </summary>
    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static async Task<IngestCost> IngestAsync(LocalEmbeddingGenerator generator, IReadOnlyList<FaqEntry> entries)
    {
        var started = Stopwatch.GetTimestamp();
        var chunks = new List<IndexedChunk>();
        foreach (var (group, n) in entries.Chunk(10).Select((g, n) => (g, n)))
        {
            var sourceId = $"src_faq{n}";
            var title = $"Stack Exchange FAQ part {n + 1}";
            var markdown = $"# {title}\n\n" + string.Join("\n\n", group.Select(e => $"## {e.Question}\n\n{e.Answer}"));
            var extracted = ContentExtractor.Extract(Encoding.UTF8.GetBytes(markdown), "text/markdown; charset=utf-8", null);
            foreach (var draft in Chunker.Chunk(sourceId, extracted.Document!))
            {
                var text = draft.Heading is { } heading && draft.Text.StartsWith(heading + "\n\n", StringComparison.Ordinal) ? draft.Text[(heading.Length + 2)..] : draft.Text;
                chunks.Add(new IndexedChunk(draft.ChunkId, sourceId, title, null, draft.Heading, text));
            }
        }

        var embedded = await ChunkEmbedding.EmbedAsync(chunks, Bm25Index.Empty, generator, CancellationToken.None);
        var index = embedded.Build();
        var blobBytes = BlobLength(index);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        started = Stopwatch.GetTimestamp();
        var again = await ChunkEmbedding.EmbedAsync(chunks, index, generator, CancellationToken.None);
        _ = BlobLength(again.Build());
        var reuseMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (again.EmbeddedChunks + again.EmbeddedUnits != 0)
        {
            throw new InvalidOperationException("Re-ingest of unchanged pages embedded something.");
        }

        var without = BlobLength(Bm25Index.Build(chunks.Select(c => c with { Sentences = null }), vectors: embedded.Vectors));
        return new IngestCost(chunks.Count, embedded.EmbeddedUnits, seconds, reuseMs, blobBytes, without);
    }

    private static long BlobLength(Bm25Index index)
    {
        using var stream = new MemoryStream();
        RetrievalIndexStore.WriteBlob(stream, index);
        return stream.Length;
    }

    private static double P(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * p) - 1)];

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    private sealed record FaqEntry(string Id, string Question, string Answer, IReadOnlyList<string> Paraphrases);

    private sealed record ColdLoad(double LoadMs, double FirstQueryMs, double WorkingSetMb, double ManagedMb);

    private sealed record IngestCost(int Chunks, int Units, double Seconds, double ReuseMs, long BlobBytes, long BlobBytesWithout);
}
