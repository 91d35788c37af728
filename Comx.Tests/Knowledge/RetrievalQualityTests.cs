using System.Globalization;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Tests.Knowledge;

/// <summary>
/// The fixture corpus's visitor questions against each organisation's own index: the expected chunk (not only its
/// document) must be ranked first for at least 90% of them.
/// </summary>
public sealed class RetrievalQualityTests(ITestOutputHelper output)
{
    [Fact]
    public void FixtureQuestions_RankTheExpectedChunkFirst()
    {
        var corpus = RetrievalCorpus.Load();
        Assert.True(corpus.Documents.Count >= 30, "the fixture corpus should have at least 30 documents");
        Assert.True(corpus.Questions.Count >= 40, "the fixture corpus should have at least 40 questions");
        var indexes = corpus.Orgs.ToDictionary(org => org, org => Bm25Index.Build(corpus.ChunksOf(org)));

        var result = Evaluate(corpus.Questions, q => indexes[q.Org]);

        output.WriteLine($"Per-org indexes: {corpus.Documents.Count} documents, {corpus.Chunks.Count()} chunks, {corpus.Questions.Count} questions.");
        Report(result);
        Assert.True(result.ChunkTop1 >= 0.9, $"chunk hit rate {result.ChunkTop1:P1} is below 90%");
    }

    [Fact]
    public void FixtureQuestions_InOneIndexOfEveryOrg_StillFindTheirDocument()
    {
        // Harder than production (each org only searches its own pages): four organisations' pages in one index, so
        // "opening hours" or "safeguarding lead" has several right-looking answers. Reported, and held to recall@5.
        var corpus = RetrievalCorpus.Load();
        var index = Bm25Index.Build(corpus.Chunks);

        var result = Evaluate(corpus.Questions, _ => index);

        output.WriteLine($"One index of all {corpus.Chunks.Count()} chunks:");
        Report(result);
        Assert.True(result.ChunkRecallAt5 >= 0.85, $"recall@5 {result.ChunkRecallAt5:P1} is below 85%");
    }

    internal static Evaluation Evaluate(IReadOnlyList<CorpusQuestion> questions, Func<CorpusQuestion, Bm25Index> indexFor)
    {
        var misses = new List<string>();
        int chunkTop1 = 0, documentTop1 = 0, recall5 = 0;
        foreach (var question in questions)
        {
            var hits = indexFor(question).Search(question.Question, 5);
            var rank = hits.ToList().FindIndex(h => h.Chunk.ChunkId == question.ExpectedChunkId);
            chunkTop1 += rank == 0 ? 1 : 0;
            recall5 += rank >= 0 ? 1 : 0;
            documentTop1 += hits.Count > 0 && hits[0].Chunk.SourceId == question.ExpectedDocumentId ? 1 : 0;
            if (rank != 0)
            {
                misses.Add($"  \"{question.Question}\" expected {question.ExpectedChunkId} (rank {(rank < 0 ? "> 5" : (rank + 1).ToString(CultureInfo.InvariantCulture))}), " +
                           $"got {(hits.Count > 0 ? hits[0].Chunk.ChunkId : "nothing")}");
            }
        }

        double n = questions.Count;
        return new Evaluation(questions.Count, chunkTop1 / n, documentTop1 / n, recall5 / n, misses);
    }

    private void Report(Evaluation result)
    {
        output.WriteLine($"  hit rate (expected chunk first): {result.ChunkTop1:P1}");
        output.WriteLine($"  document hit rate (a chunk of the expected document first): {result.DocumentTop1:P1}");
        output.WriteLine($"  recall@5 (expected chunk in the top 5): {result.ChunkRecallAt5:P1}");
        foreach (var miss in result.Misses)
        {
            output.WriteLine(miss);
        }
    }

    internal sealed record Evaluation(int Questions, double ChunkTop1, double DocumentTop1, double ChunkRecallAt5, IReadOnlyList<string> Misses);
}
