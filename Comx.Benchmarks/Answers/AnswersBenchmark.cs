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
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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

    public static async Task RunAsync(TextWriter output)
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

        await using var host = await ChatBenchmark.StartHostAsync(output);
        var app = host.App;
        var services = app.Services;
        var baseAddress = new Uri(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var http = new HttpClient { BaseAddress = baseAddress };
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
        foreach (var w in new[] { 0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0 })
        {
            var (first, top3, top5) = Ranking(index, faqQuestions.Where(q => q.Split == Split.Dev), vectors, w);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {w:F1}{(w == HybridRanking.DenseWeight ? " (used)" : "")} | {first:P1} | {top3:P1} | {top5:P1} |"));
        }

        output.WriteLine();
        var lexical = Ranking(index, faqQuestions.Where(q => q.Split == Split.HeldOut), vectors, null);
        var hybrid = Ranking(index, faqQuestions.Where(q => q.Split == Split.HeldOut), vectors, HybridRanking.DenseWeight);
        var lucene = LuceneRanking(index, faqQuestions.Where(q => q.Split == Split.HeldOut), Bm25Parameters.Default);
        var luceneDefaults = LuceneRanking(index, faqQuestions.Where(q => q.Split == Split.HeldOut), new Bm25Parameters(1.2, 0.75, 1, 1));

        // The chat path, for answering and falling back.
        var faqChat = await ChatAsync(http, faqOrg, faqQuestions.Concat(nearTopic).Concat(outOfDomain));
        var fixture = await FixtureAsync(services, http, embedder, outOfDomain);

        output.WriteLine("Held-out results (StackFAQ rephrasings; right passage = the entry the rephrasing was written for):");
        output.WriteLine();
        output.WriteLine("| | right passage first | recall@3 | recall@5 |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| BM25 alone (ours) | {lexical.First:P1} | {lexical.Top3:P1} | {lexical.Top5:P1} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Lucene.Net 4.8 BM25, EnglishAnalyzer, our k1/b/field weights | {lucene.First:P1} | {lucene.Top3:P1} | {lucene.Top5:P1} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Lucene.Net 4.8 BM25, EnglishAnalyzer, k1 1.2, b 0.75, fields unweighted | {luceneDefaults.First:P1} | {luceneDefaults.Top3:P1} | {luceneDefaults.Top5:P1} |"));
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

        // The dev split decides the threshold: the highest cosine that still answers ≥ 95% of in-domain dev questions,
        // provided out-of-domain dev questions still fall back ≥ 99% there; higher also catches more near-topic ones.
        var devIn = faqChat.Where(r => r.Question.Split == Split.Dev && r.Question.Expected is not null).Select(r => r.Similarity).ToList();
        var devNear = faqChat.Where(r => r.Question.Split == Split.Dev && nearTopic.Contains(r.Question)).Select(r => r.Similarity).ToList();
        var devOod = faqChat.Where(r => r.Question.Split == Split.Dev && outOfDomain.Contains(r.Question)).Select(r => r.Similarity).ToList();
        output.WriteLine("Threshold sweep on the dev split (best cosine of passage or sentence):");
        output.WriteLine();
        output.WriteLine("| threshold | in-domain answered | near-topic fell back | out-of-domain fell back |");
        output.WriteLine("|---:|---:|---:|---:|");
        var chosen = double.NaN;
        for (var t = 0.25; t <= 0.651; t += 0.025)
        {
            var answeredShare = devIn.Count(x => x >= t - 1e-9) / (double)devIn.Count;
            var oodShare = devOod.Count(x => x < t - 1e-9) / (double)devOod.Count;
            if (answeredShare >= 0.95 && oodShare >= 0.99)
            {
                chosen = t;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {t:F3}{(Math.Abs(t - AnswerConfidence.Threshold) < 1e-6 ? " (in use)" : "")} | {answeredShare:P1} | {Share(devNear.Count(x => x < t - 1e-9), devNear.Count)} | {oodShare:P1} |"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Highest dev threshold with ≥ 95% in-domain answered and ≥ 99% out-of-domain fallback: {chosen:F3} (in use: {AnswerConfidence.Threshold:F3})."));
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

    private static (double First, double Top3, double Top5) Ranking(Bm25Index index, IEnumerable<Question> questions, Dictionary<string, float[]> vectors, double? denseWeight)
    {
        int first = 0, top3 = 0, top5 = 0, total = 0;
        foreach (var q in questions)
        {
            total++;
            var hits = denseWeight is { } w ? index.Search(q.Text, 5, vectors[q.Text], w) : index.Search(q.Text, 5);
            var rank = hits.Select((h, i) => (h, i)).FirstOrDefault(x => IsEntry(x.h.Chunk, q.Expected!), (null!, -1)).Item2;
            first += rank == 0 ? 1 : 0;
            top3 += rank is >= 0 and < 3 ? 1 : 0;
            top5 += rank >= 0 ? 1 : 0;
        }

        return total == 0 ? (0, 0, 0) : ((double)first / total, (double)top3 / total, (double)top5 / total);
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

    private static async Task<List<ChatResult>> ChatAsync(HttpClient http, BenchOrg org, IEnumerable<Question> questions)
    {
        var results = new List<ChatResult>();
        var session = await StartSessionAsync(http, org.WidgetKey, 0);
        var n = 0;
        foreach (var q in questions)
        {
            n++;
            if (n % 40 == 0)
            {
                session = await StartSessionAsync(http, org.WidgetKey, n);
            }

            var answer = await AskAsync(http, session, q.Text, n);
            var text = answer.GetProperty("text").GetString()!;
            var fallback = answer.GetProperty("fallback").GetBoolean();
            var confidence = answer.GetProperty("confidence").GetDouble();
            // Right: the answer's first line comes from the entry the question was written for.
            var right = !fallback && q.ExpectedAnswer is { } expected && Normalise(expected).Contains(Normalise(text.Split('\n')[0].TrimStart('-', ' ')), StringComparison.Ordinal);
            results.Add(new ChatResult(q, fallback, confidence, right, SimilarityOf(confidence)));
        }

        return results;
    }

    /// <summary>The best cosine the answer was judged on, read back from its confidence (the mapping is monotonic).</summary>
    private static double SimilarityOf(double confidence) =>
        confidence < AnswerConfidence.AnswerAt
            ? confidence * AnswerConfidence.Threshold / AnswerConfidence.AnswerAt
            : AnswerConfidence.Threshold + ((confidence - AnswerConfidence.AnswerAt) * (AnswerConfidence.Certain - AnswerConfidence.Threshold) / AnswerConfidence.AnswerAt);

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
            var session = await StartSessionAsync(http, org.WidgetKey, 7000);
            var n = 0;
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
                var answer = await AskAsync(http, session, question.Question, ++n);
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
                oodFellBack += (await AskAsync(http, session, q.Text, ++n)).GetProperty("fallback").GetBoolean() ? 1 : 0;
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
        return response.IsSuccessStatusCode ? body.GetProperty("answer") : throw new InvalidOperationException($"chat failed: {(int)response.StatusCode} {body}");
    }

    private enum Split
    {
        Dev,
        HeldOut,
    }

    private sealed record FaqEntry(string Id, string Question, string Answer, IReadOnlyList<string> Paraphrases);

    private sealed record Question(string Text, Split Split, string? Expected, string? ExpectedAnswer);

    private sealed record ChatResult(Question Question, bool Fallback, double Confidence, bool Right, double Similarity);

    private sealed record BenchOrg(string OrgId, string WidgetKey);

    private sealed record FixtureResult(double First, double Top3, double Top5, int Questions, int Answered, int RightAnswered, int OodFellBack, int OodAsked);
}
