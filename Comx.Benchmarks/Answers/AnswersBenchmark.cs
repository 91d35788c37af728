using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Comx.Benchmarks.Chat;
using Comx.Benchmarks.Retrieval;
using Comx.Core.Chat;
using Comx.Core.Embeddings;
using Comx.Core.Identity;
using Comx.Core.Knowledge;
using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Knowledge;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Benchmarks.Answers;

/// <summary>
/// Answers end to end on public question sets: the real ingest (text sources, chunking, embedding, index publish) and
/// the real chat path (HTTP on Kestrel, the DevHost's composition, Azurite). Data (Answers/Data/README.md):
/// <list type="bullet">
/// <item>StackFAQ (Karan and Šnajder, 2018): 125 Stack Exchange questions with their top answer and human
/// rephrasings. 100 entries are ingested; each entry's first two rephrasings are the dev split, the next three held out.
/// The other 25 entries are not ingested: their rephrasings are near-topic questions the pages do not answer.</item>
/// <item>SQuAD v1.1 dev questions (240, ten per article; even articles dev, odd held out): out of domain for every org.</item>
/// <item>The retrieval fixture corpus (4 school orgs, 82 visitor questions), ingested the same way.</item>
/// </list>
/// Thresholds and the fusion weight are only ever chosen on the dev split; the held-out rows are what targets are
/// judged on.
/// </summary>
internal static class AnswersBenchmark
{
    private const int EntriesPerSource = 10;
    private const int ChatWarmUp = 20;
    private const int ChatMeasured = 120;

    /// <summary>Runs the benchmark; <paramref name="rankingOnly"/> stops after the ranking tables (no chat phase, a few minutes).</summary>
    public static async Task RunAsync(TextWriter output, bool rankingOnly = false)
    {
        var dataDir = Path.Combine(AppContext.BaseDirectory, "Answers", "Data");
        var entries = JsonSerializer.Deserialize<List<FaqEntry>>(File.ReadAllText(Path.Combine(dataDir, "stackfaq-subset.json")), JsonOptions)!;
        var squad = File.ReadLines(Path.Combine(dataDir, "squad-dev-questions.txt")).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('|', 3)).Select(p => (Split: p[0] == "0" ? Split.Dev : Split.HeldOut, Question: p[2])).ToList();

        // Model costs first, before anything else loads: cold load time and the memory the loaded model holds.
        GC.Collect();
        var before = Environment.WorkingSet;
        LocalEmbeddingGenerator.WarmUp();
        GC.Collect();
        var modelBytes = Environment.WorkingSet - before;
        var coldLoad = LocalEmbeddingGenerator.LoadTime;

        // An Azurite of its own (in memory, free ports): two earlier runs on the shared emulator stalled in the chat
        // phase behind other helpers' test runs, with every thread of this process idle waiting on storage.
        await using var azurite = await OwnAzurite.StartOnFreePortsAsync(20010);
        var (app, baseAddress) = await BenchHost.StartAsync(azurite.Connection);
        await using var appLifetime = app;
        var services = app.Services;
        // A stalled request fails the run with its question instead of hanging it.
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var embedder = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        // Org 1: StackFAQ, 100 of 125 entries ingested as ten text sources of ten sections each.
        var inCorpus = entries.Where((_, i) => i % 5 != 4).ToList();
        var withheld = entries.Where((_, i) => i % 5 == 4).ToList();
        var faqOrg = await CreateOrgAsync(services, "faq");
        var ingestWatch = Stopwatch.StartNew();
        var chunkCount = 0;
        foreach (var (group, n) in inCorpus.Chunk(EntriesPerSource).Select((g, n) => (g, n)))
        {
            var content = string.Join("\n\n", group.Select(e => $"## {e.Question}\n\n{e.Answer}"));
            chunkCount = await IngestAsync(services, faqOrg.OrgId, $"Stack Exchange FAQ part {n + 1}", content);
        }

        var ingestSeconds = ingestWatch.Elapsed.TotalSeconds;

        var faqQuestions = new List<Question>();
        foreach (var entry in inCorpus)
        {
            faqQuestions.AddRange(entry.Paraphrases.Select((p, i) => new Question(p, i < 2 ? Split.Dev : Split.HeldOut, entry.Question, entry.Answer)));
        }

        var nearTopic = withheld.SelectMany(e => e.Paraphrases.Select((p, i) => new Question(p, i < 2 ? Split.Dev : Split.HeldOut, null, null))).ToList();
        var outOfDomain = squad.Select(q => new Question(q.Question, q.Split, null, null)).ToList();

        // Ranking: the chat path's own search (hybrid over the published index), for every in-domain question.
        var index = await services.GetRequiredService<RetrievalIndexStore>().GetAsync(faqOrg.OrgId);
        var embedTimes = new List<double>();
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var q in faqQuestions.Concat(nearTopic).Concat(outOfDomain))
        {
            var started = Stopwatch.GetTimestamp();
            var embedded = await embedder.GenerateAsync([q.Text]);
            embedTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            vectors[q.Text] = embedded[0].Vector.ToArray();
        }

        output.WriteLine($"Answers benchmark. StackFAQ: {inCorpus.Count} entries ingested ({chunkCount} chunks), {faqQuestions.Count} rephrasings " +
            $"({faqQuestions.Count(q => q.Split == Split.Dev)} dev / {faqQuestions.Count(q => q.Split == Split.HeldOut)} held out); " +
            $"{nearTopic.Count} near-topic rephrasings of {withheld.Count} entries not ingested; {outOfDomain.Count} SQuAD questions out of domain.");
        output.WriteLine();
        output.WriteLine("Fusion weight on the dev split (right passage first / in top 3 / in top 5):");
        output.WriteLine();
        output.WriteLine("| dense weight | first | top 3 | top 5 |");
        output.WriteLine("|---:|---:|---:|---:|");
        foreach (var w in new[] { 0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 })
        {
            var (first, top3, top5) = Ranking(index, faqQuestions.Where(q => q.Split == Split.Dev), vectors, w);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {w:F1}{(w == HybridRanking.DenseWeight ? " (used)" : "")} | {first:P1} | {top3:P1} | {top5:P1} |"));
        }

        output.WriteLine();
        var dev = faqQuestions.Where(q => q.Split == Split.Dev).ToList();
        var heldOut = faqQuestions.Where(q => q.Split == Split.HeldOut).ToList();
        LexicalComparison(output, index, dev, heldOut);
        var hybrid = Ranking(index, heldOut, vectors, HybridRanking.DenseWeight);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Held out, hybrid (BM25 + MiniLM cosine, w = {HybridRanking.DenseWeight}): first {hybrid.First:P1}, top 3 {hybrid.Top3:P1}, top 5 {hybrid.Top5:P1}."));
        output.WriteLine();

        // The answer-or-fallback decision, in process on the chat path's own search and generator (no HTTP, no storage).
        var decisionRows = new Dictionary<Question, AnswerDecisionFit.Row>();
        var signalClock = Stopwatch.StartNew();
        foreach (var q in faqQuestions.Concat(nearTopic).Concat(outOfDomain))
        {
            var hits = index.Search(q.Text, ChatEndpoints.RetrievedPassages, vectors[q.Text]);
            var request = new AnswerRequest(q.Text, hits, Core.Accessibility.ReadingLevel.Standard, vectors[q.Text]);
            var units = await ExtractiveAnswerGenerator.UnitSimilaritiesAsync(request, embedder, CancellationToken.None);
            var generated = await ExtractiveAnswerGenerator.GenerateAsync(request, embedder, CancellationToken.None);
            var right = !generated.Fallback && q.ExpectedAnswer is { } expectedAnswer && IsFirstLineOf(generated.Text, expectedAnswer);
            decisionRows[q] = new AnswerDecisionFit.Row(AnswerSignals.Of(request, units?.Max()), q.Expected is not null, outOfDomain.Contains(q), right);
            Progress("signals", decisionRows.Count, faqQuestions.Count + nearTopic.Count + outOfDomain.Count, signalClock);
        }

        // The rows behind the fit, for checking it elsewhere (ANSWERS_SIGNALS_CSV=path).
        if (Environment.GetEnvironmentVariable("ANSWERS_SIGNALS_CSV") is { Length: > 0 } csv)
        {
            await File.WriteAllLinesAsync(csv, ["split,covered,out_of_domain,right,closest,passage,margin,coverage,lexical", .. decisionRows.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r.Key.Split},{r.Value.Covered},{r.Value.OutOfDomain},{r.Value.Right},{r.Value.Signals.Closest:F4},{r.Value.Signals.PassageCosine:F4},{r.Value.Signals.Margin:F4},{r.Value.Signals.Coverage:F4},{r.Value.Signals.LexicalAgreement:F4}"))]);
        }

        AnswerDecisionFit.Print(output, [.. decisionRows.Where(r => r.Key.Split == Split.Dev).Select(r => r.Value)],
            [.. decisionRows.Where(r => r.Key.Split == Split.HeldOut).Select(r => r.Value)]);
        if (rankingOnly)
        {
            var corpus = RetrievalCorpus.Load();
            var chunks = index.Chunks.ToList();
            Bm25Lab.LabQuestion Faq(Question q) => new(q.Text, c => IsEntry(c, q.Expected!));
            Bm25Lab.Run(output,
            [
                new("StackFAQ dev", [(chunks, [.. dev.Select(Faq)])]),
                new("StackFAQ held out", [(chunks, [.. heldOut.Select(Faq)])]),
                new("fixture corpus", [.. corpus.Orgs.Select(org => ((IReadOnlyList<IndexedChunk>)[.. corpus.ChunksOf(org)],
                    (IReadOnlyList<Bm25Lab.LabQuestion>)[.. corpus.Questions.Where(q => q.Org == org).Select(q => new Bm25Lab.LabQuestion(q.Question, c => c.ChunkId == q.ExpectedChunkId))]))]),
            ]);
            return;
        }

        // The chat path, for answering and falling back.
        var faqChat = await ChatAsync(http, faqOrg, [.. faqQuestions, .. nearTopic, .. outOfDomain]);
        var fixture = await FixtureAsync(services, http, embedder, outOfDomain);

        output.WriteLine("Held-out results (StackFAQ rephrasings; right passage = the entry the rephrasing was written for):");
        output.WriteLine();
        output.WriteLine("| | right passage first | recall@3 | recall@5 |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| hybrid (BM25 + MiniLM cosine, w = {HybridRanking.DenseWeight}) | {hybrid.First:P1} | {hybrid.Top3:P1} | {hybrid.Top5:P1} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| fixture corpus, hybrid (82 questions, no split) | {fixture.First:P1} | {fixture.Top3:P1} | {fixture.Top5:P1} |"));
        output.WriteLine();

        output.WriteLine("Answering (chat path; answered = not a fallback):");
        output.WriteLine();
        output.WriteLine("| split | in-domain answered | right when answered | near-topic unanswerable fell back | out-of-domain (SQuAD) fell back | precision at confidence ≥ 0.8 (answers) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var split in new[] { Split.Dev, Split.HeldOut })
        {
            var inDomain = faqChat.Where(r => r.Question.Split == split && r.Question.Expected is not null).ToList();
            var near = faqChat.Where(r => r.Question.Split == split && r.Question.Expected is null && nearTopic.Contains(r.Question)).ToList();
            var ood = faqChat.Where(r => r.Question.Split == split && outOfDomain.Contains(r.Question)).ToList();
            var answered = inDomain.Where(r => !r.Fallback).ToList();
            var confident = answered.Where(r => r.Confidence >= 0.8).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {split} | {Share(answered.Count, inDomain.Count)} | {Share(answered.Count(r => r.Right), answered.Count)} | {Share(near.Count(r => r.Fallback), near.Count)} | {Share(ood.Count(r => r.Fallback), ood.Count)} | {Share(confident.Count(r => r.Right), confident.Count)} ({confident.Count}) |"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| fixture corpus | {Share(fixture.Answered, fixture.Questions)} | {Share(fixture.RightAnswered, fixture.Answered)} | — | {Share(fixture.OodFellBack, fixture.OodAsked)} | — |"));
        output.WriteLine();

        var chat = await ChatBenchmark.MeasureAgainstFloorAsync(services, http, faqOrg.WidgetKey, faqOrg.OrgId,
            [.. faqQuestions.Where(q => q.Split == Split.HeldOut).Select(q => q.Text)], ChatWarmUp, ChatMeasured);
        embedTimes.Sort();
        output.WriteLine("Costs (2 shared cores):");
        output.WriteLine();
        output.WriteLine("| | value |");
        output.WriteLine("|---|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| model cold load (all-MiniLM-L6-v2, ONNX, first inference included) | {coldLoad.TotalMilliseconds:F0} ms |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| memory held by the loaded model (working set growth) | {modelBytes / 1048576.0:F0} MB |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| query embedding p50 / p99 ({embedTimes.Count} questions) | {Percentile(embedTimes, 0.5):F1} ms / {Percentile(embedTimes, 0.99):F1} ms |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ingest throughput (fetch-free text sources: chunk, embed, publish) | {chunkCount / ingestSeconds:F1} chunks/s ({chunkCount} chunks in {ingestSeconds:F1} s) |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| chat message p50 / floor p50 (same storage calls, no search) | {chat.HandlerP50:F1} ms / {chat.FloorP50:F1} ms = {chat.HandlerP50 / chat.FloorP50:F2}× |"));
        await AnswerCosts.RunAsync(output);
    }

    private static string Share(int part, int whole) => whole == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{(double)part / whole:P1}");

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * p) - 1)];

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    private static (double First, double Top3, double Top5) Ranking(Bm25Index index, IEnumerable<Question> questions, Dictionary<string, float[]>? vectors, double? denseWeight)
    {
        int first = 0, top3 = 0, top5 = 0, total = 0;
        foreach (var q in questions)
        {
            total++;
            var hits = denseWeight is { } w ? index.Search(q.Text, 5, vectors![q.Text], w) : index.Search(q.Text, 5);
            var rank = hits.Select((h, i) => (h, i)).FirstOrDefault(x => IsEntry(x.h.Chunk, q.Expected!), (null!, -1)).Item2;
            first += rank == 0 ? 1 : 0;
            top3 += rank is >= 0 and < 3 ? 1 : 0;
            top5 += rank >= 0 ? 1 : 0;
        }

        return total == 0 ? (0, 0, 0) : ((double)first / total, (double)top3 / total, (double)top5 / total);
    }

    /// <summary>
    /// BM25 alone, ours next to Lucene.Net 4.8 on the same chunks and questions: EnglishAnalyzer's chain with our k1, b
    /// and field boosts, and with Lucene's own defaults (k1 1.2, b 0.75, fields unboosted).
    /// </summary>
    private static void LexicalComparison(TextWriter output, Bm25Index index, List<Question> dev, List<Question> heldOut)
    {
        output.WriteLine("BM25 alone, ours and Lucene.Net's, on the same chunks (right passage first / top 3 / top 5):");
        output.WriteLine();
        output.WriteLine("| | dev first | dev top 3 | dev top 5 | held-out first | held-out top 3 | held-out top 5 |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        void Row(string name, Func<List<Question>, (double First, double Top3, double Top5)> rank)
        {
            var (d, h) = (rank(dev), rank(heldOut));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {d.First:P1} | {d.Top3:P1} | {d.Top5:P1} | {h.First:P1} | {h.Top3:P1} | {h.Top5:P1} |"));
        }

        var p = index.Parameters;
        Row($"ours (k1 {p.K1}, b {p.B}, title ×{p.TitleWeight}, heading ×{p.HeadingWeight})", qs => Ranking(index, qs, null, null));
        Row("Lucene.Net BM25 + EnglishAnalyzer, our k1/b/field boosts", qs => LuceneRanking(index, qs, p));
        Row("Lucene.Net BM25 + EnglishAnalyzer, k1 1.2, b 0.75, fields unboosted", qs => LuceneRanking(index, qs, new Bm25Parameters(1.2, 0.75, 1, 1)));
        output.WriteLine();
    }

    private static (double First, double Top3, double Top5) LuceneRanking(Bm25Index index, IEnumerable<Question> questions, Bm25Parameters parameters)
    {
        using var lucene = new LuceneEngine(parameters, ourStopWords: false);
        var chunks = index.Chunks.ToList();
        lucene.Load(lucene.Build(chunks));
        var byId = chunks.ToDictionary(c => c.ChunkId, StringComparer.Ordinal);
        int first = 0, top3 = 0, top5 = 0, total = 0;
        foreach (var q in questions)
        {
            total++;
            var rank = lucene.Search(q.Text, 5).FindIndex(id => IsEntry(byId[id], q.Expected!));
            first += rank == 0 ? 1 : 0;
            top3 += rank is >= 0 and < 3 ? 1 : 0;
            top5 += rank >= 0 ? 1 : 0;
        }

        return total == 0 ? (0, 0, 0) : ((double)first / total, (double)top3 / total, (double)top5 / total);
    }

    private static bool IsEntry(IndexedChunk chunk, string question) =>
        chunk.Heading is { } heading && (heading == question || heading.EndsWith(Core.Knowledge.Content.Chunker.HeadingSeparator + question, StringComparison.Ordinal));

    private static async Task<List<ChatResult>> ChatAsync(HttpClient http, BenchOrg org, IReadOnlyList<Question> questions)
    {
        var results = new List<ChatResult>();
        var visitor = new Visitor(http, org.WidgetKey, 0);
        var clock = Stopwatch.StartNew();
        foreach (var q in questions)
        {
            var answer = await visitor.AskAsync(q.Text);
            var text = answer.GetProperty("text").GetString()!;
            var fallback = answer.GetProperty("fallback").GetBoolean();
            var confidence = answer.GetProperty("confidence").GetDouble();
            // Right: the answer's first line comes from the entry the question was written for.
            var right = !fallback && q.ExpectedAnswer is { } expected && IsFirstLineOf(text, expected);
            results.Add(new ChatResult(q, fallback, confidence, right));
            Progress("chat", results.Count, questions.Count, clock);
        }

        return results;
    }

    /// <summary>Progress on stderr (every 100 questions), so a slow phase shows where it is.</summary>
    private static void Progress(string phase, int done, int total, Stopwatch clock)
    {
        if (done % 100 == 0 || done == total)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[answers] {phase}: {done}/{total} in {clock.Elapsed.TotalSeconds:F0} s"));
        }
    }

    /// <summary>Right: the answer's first line is text of the entry the question was written for.</summary>
    private static bool IsFirstLineOf(string answer, string expected) =>
        Normalise(expected).Contains(Normalise(answer.Split('\n')[0].TrimStart('-', ' ')), StringComparison.Ordinal);

    private static string Normalise(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    private static async Task<FixtureResult> FixtureAsync(IServiceProvider services, HttpClient http, IEmbeddingGenerator<string, Embedding<float>> embedder, List<Question> outOfDomain)
    {
        var corpus = RetrievalCorpus.Load();
        int first = 0, top3 = 0, top5 = 0, answered = 0, rightAnswered = 0, oodFellBack = 0, oodAsked = 0;
        foreach (var orgName in corpus.Orgs)
        {
            var org = await CreateOrgAsync(services, orgName);
            foreach (var document in corpus.Documents.Where(d => d.Org == orgName))
            {
                var content = string.Join("\n\n", document.Chunks.Select(c => c.Heading is null ? c.Text : $"## {c.Heading}\n\n{c.Text}"));
                await IngestAsync(services, org.OrgId, document.Title, content);
            }

            var index = await services.GetRequiredService<RetrievalIndexStore>().GetAsync(org.OrgId);
            var visitor = new Visitor(http, org.WidgetKey, 7000 + (1000 * corpus.Orgs.ToList().IndexOf(orgName)));
            foreach (var question in corpus.Questions.Where(q => q.Org == orgName))
            {
                var expected = corpus.Documents.SelectMany(d => d.Chunks.Select(c => (d, c))).First(x => x.c.ChunkId == question.ExpectedChunkId);
                var vector = (await embedder.GenerateAsync([question.Question]))[0].Vector;
                var hits = index.Search(question.Question, 5, vector.Span);
                var rank = hits.Select((h, i) => (h, i)).FirstOrDefault(x => x.h.Chunk.Title == expected.d.Title
                    && (x.h.Chunk.Heading ?? "") .EndsWith(expected.c.Heading ?? "", StringComparison.Ordinal), (null!, -1)).Item2;
                first += rank == 0 ? 1 : 0;
                top3 += rank is >= 0 and < 3 ? 1 : 0;
                top5 += rank >= 0 ? 1 : 0;
                var answer = await visitor.AskAsync(question.Question);
                if (!answer.GetProperty("fallback").GetBoolean())
                {
                    answered++;
                    var firstLine = Normalise(answer.GetProperty("text").GetString()!.Split('\n')[0].TrimStart('-', ' '));
                    rightAnswered += Normalise(expected.c.Text).Contains(firstLine, StringComparison.Ordinal) ? 1 : 0;
                }
            }

            foreach (var q in outOfDomain.Where((_, i) => i % 4 == corpus.Orgs.ToList().IndexOf(orgName)))
            {
                oodAsked++;
                oodFellBack += (await visitor.AskAsync(q.Text)).GetProperty("fallback").GetBoolean() ? 1 : 0;
            }
        }

        var total = corpus.Questions.Count;
        return new FixtureResult((double)first / total, (double)top3 / total, (double)top5 / total, total, answered, rightAnswered, oodFellBack, oodAsked);
    }

    private static async Task<BenchOrg> CreateOrgAsync(IServiceProvider services, string name)
    {
        var orgId = $"org_ans_{name}_" + Guid.NewGuid().ToString("N")[..8];
        var directory = services.GetRequiredService<OrgDirectory>();
        await directory.UpsertOrgAsync(orgId, "Answers benchmark " + name, "bench", 1);
        await directory.UpdateBillingAsync(orgId, org => { org.Plan = "School"; org.PlanStatus = "active"; return true; });
        var widget = await services.GetRequiredService<WidgetSettingsStore>().GetOrCreateAsync(orgId);
        return new BenchOrg(orgId, widget.WidgetKey);
    }

    /// <summary>Creates a text source and runs its ingest job as the queue would; returns the org's chunk count after it.</summary>
    private static async Task<int> IngestAsync(IServiceProvider services, string orgId, string title, string content)
    {
        var ingest = services.GetRequiredService<IngestService>();
        var created = await ingest.CreateSourceAsync(orgId, "bench", new CreateSourceRequest(SourceType.Text, title, Content: content));
        var (_, job) = created.Value;
        await ingest.RunAsync(IngestJobMessage.For(orgId, job.JobId));
        return (await services.GetRequiredService<RetrievalIndexStore>().GetAsync(orgId)).Count;
    }

    private static async Task<(string Id, string Token)> StartSessionAsync(HttpClient http, string widgetKey, int n)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/public/v1/chat/sessions") { Content = JsonContent.Create(new { widget_key = widgetKey }) };
        create.Headers.Add("X-Forwarded-For", $"10.77.{n / 250 % 250}.{n % 250 + 1}");
        using var created = await http.SendAsync(create);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("session_id").GetString()!, body.GetProperty("session_token").GetString()!);
    }

    private static async Task<JsonElement> AskAsync(HttpClient http, (string Id, string Token) session, string message, int n)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/v1/chat/messages")
        {
            Content = JsonContent.Create(new { session_id = session.Id, message }),
        };
        request.Headers.Add("X-Session-Token", session.Token);
        request.Headers.Add("X-Forwarded-For", $"10.{88 + (n / 62500 % 100)}.{n / 250 % 250}.{n % 250 + 1}");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"chat failed: {(int)response.StatusCode} {body}");
    }

    /// <summary>
    /// One visitor asking in turn, on a new session every <see cref="MessagesPerSession"/> messages: the per-session
    /// limit is 20 a minute (ChatRateLimits.PerSession), which a quiet machine reaches well within a minute.
    /// </summary>
    private sealed class Visitor(HttpClient http, string widgetKey, int seed)
    {
        private const int MessagesPerSession = 15;
        private (string Id, string Token) _session;
        private int _sent;

        /// <summary>Questions the safeguarding detector escalated (the reply is the safeguarding message, the thread goes to staff).</summary>
        public List<string> Escalated { get; } = [];

        public async Task<JsonElement> AskAsync(string message)
        {
            for (var attempt = 0; ; attempt++)
            {
                if (_sent % MessagesPerSession == 0 || attempt > 0)
                {
                    _session = await StartSessionAsync(http, widgetKey, seed + _sent + (attempt * 100_000));
                }

                _sent++;
                var body = await AnswersBenchmark.AskAsync(http, _session, message, seed + _sent);
                if (body.GetProperty("safeguarding").GetProperty("escalated").GetBoolean())
                {
                    Escalated.Add(message);
                    Console.Error.WriteLine($"[answers] escalated by safeguarding: {message}");
                }

                // A thread handed to staff (after an escalation) no longer gets bot answers: ask again on a new session.
                if (body.GetProperty("answer").ValueKind != JsonValueKind.Null)
                {
                    if (body.GetProperty("handoff_active").GetBoolean() || body.GetProperty("safeguarding").GetProperty("escalated").GetBoolean())
                    {
                        _sent = 0; // the next question starts a new session
                    }

                    return body.GetProperty("answer");
                }

                if (attempt > 0)
                {
                    throw new InvalidOperationException($"no answer on a fresh session for: {message}");
                }
            }
        }
    }

    private enum Split
    {
        Dev,
        HeldOut,
    }

    private sealed record FaqEntry(string Id, string Question, string Answer, IReadOnlyList<string> Paraphrases);

    private sealed record Question(string Text, Split Split, string? Expected, string? ExpectedAnswer);

    private sealed record ChatResult(Question Question, bool Fallback, double Confidence, bool Right);

    private sealed record BenchOrg(string OrgId, string WidgetKey);

    private sealed record FixtureResult(double First, double Top3, double Top5, int Questions, int Answered, int RightAnswered, int OodFellBack, int OodAsked);
}
