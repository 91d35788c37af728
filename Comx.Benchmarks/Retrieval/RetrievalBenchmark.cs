using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Knowledge;

namespace Comx.Benchmarks.Retrieval;

/// <summary>
/// Comx's BM25 index against Lucene.Net on the same synthetic corpora (2,000 and 50,000 chunks) and the same 1,000
/// queries: build time, serialised size, load time from bytes, search latency p50/p99 (top 5, each engine returning
/// what an answer needs: ours with snippets, Lucene with the hits' stored fields), and recall@5 and hit@1 of the
/// fixture questions. A Stopwatch harness: every measured pass follows an identical warm-up pass.
/// </summary>
internal static class RetrievalBenchmark
{
    private const int Top = 5;
    private const int QueryCount = 1_000;
    private const int LoadRepetitions = 5;
    private static readonly int[] Sizes = [2_000, 50_000];

    public static void Run(TextWriter output)
    {
        var fixture = RetrievalCorpus.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Retrieval"));
        var parameters = Bm25Parameters.Default;
        output.WriteLine($"Retrieval benchmark: Comx BM25 vs Lucene.Net 4.8.0-beta00017 (BM25Similarity, RAMDirectory)");
        output.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription.Trim()}, " +
                         $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}");
        output.WriteLine($"k1={F(parameters.K1)} b={F(parameters.B)} title weight {parameters.TitleWeight} heading weight {parameters.HeadingWeight} (Lucene: same k1/b, field boosts)");
        output.WriteLine($"fixture: {fixture.Documents.Count} pages, {fixture.Chunks.Count()} chunks, {fixture.Questions.Count} questions; {QueryCount:N0} timed queries per engine");
        output.WriteLine($"load average at start: {LoadAverage()}");
        StemmerAgreement(output, fixture);

        foreach (var size in Sizes)
        {
            output.WriteLine();
            var chunks = SyntheticCorpus.Build(fixture, size);
            var queries = Queries(fixture, QueryCount);
            output.WriteLine($"== {chunks.Count:N0} chunks ({fixture.Chunks.Count()} fixture + {chunks.Count - fixture.Chunks.Count():N0} filler, " +
                             $"{chunks.Sum(c => c.Text.Length) / chunks.Count:N0} characters a chunk on average)");

            var comx = MeasureComx(chunks, queries, fixture, parameters);
            var lucene = MeasureLucene(chunks, queries, fixture, parameters, ourStopWords: false);
            var luceneOurStops = MeasureLucene(chunks, queries, fixture, parameters, ourStopWords: true);
            Table(output, comx, lucene, luceneOurStops);
        }

        output.WriteLine();
        output.WriteLine($"load average at end: {LoadAverage()}");
    }

    private static Measurement MeasureComx(IReadOnlyList<IndexedChunk> chunks, List<string> queries, RetrievalCorpus fixture, Bm25Parameters parameters)
    {
        var started = Stopwatch.GetTimestamp();
        var built = Bm25Index.Build(chunks, parameters);
        var buildTime = Stopwatch.GetElapsedTime(started);
        byte[] bytes;
        using (var stream = new MemoryStream())
        {
            built.WriteTo(stream);
            bytes = stream.ToArray();
        }

        built = null;
        Bm25Index? index = null;
        var (loadMs, heldBytes) = MeasureLoad(() => index = Bm25Index.ReadFrom(bytes), () => index = null);
        var latencies = Time(queries, q => index!.Search(q, Top));
        var quality = Quality(fixture, q => index!.Search(q, Top).Select(h => h.Chunk.ChunkId).ToList());
        return new Measurement(buildTime.TotalMilliseconds, bytes.Length, loadMs, heldBytes, latencies, quality.Recall5, quality.Hit1);
    }

    private static Measurement MeasureLucene(IReadOnlyList<IndexedChunk> chunks, List<string> queries, RetrievalCorpus fixture,
        Bm25Parameters parameters, bool ourStopWords)
    {
        using var engine = new LuceneEngine(parameters, ourStopWords);
        var started = Stopwatch.GetTimestamp();
        var files = engine.Build(chunks);
        var buildTime = Stopwatch.GetElapsedTime(started);
        var (loadMs, heldBytes) = MeasureLoad(() => engine.Load(files), engine.Unload);
        var latencies = Time(queries, q => engine.Search(q, Top));
        var quality = Quality(fixture, q => engine.Search(q, Top));
        return new Measurement(buildTime.TotalMilliseconds, files.Values.Sum(f => (long)f.Length), loadMs, heldBytes, latencies, quality.Recall5, quality.Hit1);
    }

    /// <summary>
    /// Median load time once the code has tiered up (a cold instance also pays JIT on its first load; that is the
    /// same for any engine and not measured here), and the managed memory the loaded index holds.
    /// </summary>
    private static (double Milliseconds, long HeldBytes) MeasureLoad(Action load, Action unload)
    {
        var warmUp = Stopwatch.StartNew();
        for (var i = 0; i < 40 && (i < 3 || warmUp.Elapsed < TimeSpan.FromSeconds(4)); i++)
        {
            load();
        }

        Thread.Sleep(300);
        var loads = new List<double>();
        for (var i = 0; i < LoadRepetitions; i++)
        {
            GC.Collect();
            var started = Stopwatch.GetTimestamp();
            load();
            loads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        unload();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        load();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        return (Median(loads), after - before);
    }

    /// <summary>
    /// Per-query latencies in milliseconds, sorted: five timed rounds over the queries after warm-up rounds let the
    /// JIT tier up; the round with the median p99 is kept, so one round disturbed by another process on a shared
    /// machine does not decide the figures.
    /// </summary>
    private static double[] Time<T>(List<string> queries, Func<string, T> search)
    {
        for (var pass = 0; pass < 3; pass++)
        {
            foreach (var query in queries)
            {
                _ = search(query);
            }
        }

        Thread.Sleep(300);
        var rounds = new List<double[]>();
        for (var round = 0; round < 5; round++)
        {
            GC.Collect();
            var latencies = new double[queries.Count];
            for (var i = 0; i < queries.Count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                _ = search(queries[i]);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(latencies);
            rounds.Add(latencies);
        }

        return rounds.OrderBy(r => Percentile(r, 0.99)).ElementAt(2);
    }

    private static (double Recall5, double Hit1) Quality(RetrievalCorpus fixture, Func<string, List<string>> search)
    {
        int recall = 0, hit = 0;
        foreach (var question in fixture.Questions)
        {
            var ids = search(question.Question);
            recall += ids.Contains(question.ExpectedChunkId) ? 1 : 0;
            hit += ids.Count > 0 && ids[0] == question.ExpectedChunkId ? 1 : 0;
        }

        return ((double)recall / fixture.Questions.Count, (double)hit / fixture.Questions.Count);
    }

    /// <summary>
    /// The fixture questions, then generated ones to make up the count: a question opener and two to five words of a
    /// random fixture chunk, so queries hit real terms at real frequencies. Deterministic.
    /// </summary>
    private static List<string> Queries(RetrievalCorpus fixture, int count)
    {
        string[] openers = ["When is the", "How do I find", "What about", "Where can I get", "Is there any", "Can you tell me about"];
        var random = new Random(7);
        var chunks = fixture.Chunks.ToList();
        var queries = fixture.Questions.Select(q => q.Question).ToList();
        while (queries.Count < count)
        {
            var words = chunks[random.Next(chunks.Count)].Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var picked = Enumerable.Range(0, random.Next(2, 6)).Select(_ => words[random.Next(words.Length)].Trim('.', ',', ';', ':'));
            queries.Add($"{openers[random.Next(openers.Length)]} {string.Join(' ', picked)}?");
        }

        return [.. queries.OrderBy(_ => random.Next())];
    }

    /// <summary>Our Porter stemmer against Lucene's PorterStemFilter on every distinct word of the fixture corpus.</summary>
    private static void StemmerAgreement(TextWriter output, RetrievalCorpus fixture)
    {
        var words = fixture.Chunks
            .SelectMany(c => (c.Title + " " + c.Heading + " " + c.Text).Split([' ', '\n', ',', '.', ';', ':', '(', ')', '?', '!', '-', '\'', '’'], StringSplitOptions.RemoveEmptyEntries))
            .Select(TextAnalyzer.Fold)
            .Where(w => w.Length > 0 && w.All(char.IsAsciiLetterLower))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var differences = words.Where(w => TextAnalyzer.Stem(w) != LuceneEngine.Stem(w)).ToList();
        output.WriteLine($"stemmer: {words.Count - differences.Count} of {words.Count} distinct fixture words stem as Lucene's PorterStemFilter does" +
                         (differences.Count == 0 ? "" : ": differs on " + string.Join(", ", differences.Take(10).Select(w => $"{w} ({TextAnalyzer.Stem(w)} vs {LuceneEngine.Stem(w)})"))));
    }

    private static void Table(TextWriter output, params Measurement[] engines)
    {
        output.WriteLine($"  {"",-30}{"Comx",12}{"Lucene.Net",14}{"Lucene.Net +",14}");
        output.WriteLine($"  {"",-30}{"",12}{"",14}{"our stop words",14}");
        Row("build", m => Ms(m.BuildMs));
        Row("serialised size", m => Mb(m.Bytes));
        Row($"load from bytes (median of {LoadRepetitions})", m => Ms(m.LoadMs));
        Row("managed memory held", m => Mb(m.HeldBytes));
        Row("search p50 (top 5)", m => Ms(Percentile(m.Latencies, 0.50)));
        Row("search p99 (top 5)", m => Ms(Percentile(m.Latencies, 0.99)));
        Row("search max", m => Ms(m.Latencies[^1]));
        Row("recall@5, fixture questions", m => Pct(m.Recall5));
        Row("hit@1, fixture questions", m => Pct(m.Hit1));

        void Row(string name, Func<Measurement, string> cell) =>
            output.WriteLine($"  {name,-30}{cell(engines[0]),12}{cell(engines[1]),14}{cell(engines[2]),14}");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Ms(double ms) => ms >= 100 ? F0(ms) + " ms" : ms >= 1 ? F(ms, "F1") + " ms" : F(ms, "F3") + " ms";

    private static string Mb(long bytes) => F(bytes / 1024.0 / 1024.0, "F1") + " MB";

    private static string Pct(double value) => F(value * 100, "F1") + " %";

    private static string F(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string F0(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private sealed record Measurement(double BuildMs, long Bytes, double LoadMs, long HeldBytes, double[] Latencies, double Recall5, double Hit1);
}
