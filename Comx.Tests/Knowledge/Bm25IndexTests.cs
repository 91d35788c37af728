using Comx.Core.Knowledge.Retrieval;

namespace Comx.Tests.Knowledge;

public sealed class Bm25IndexTests
{
    private static IndexedChunk Chunk(string id, string text, string title = "Page", string? heading = null, string source = "src_page") =>
        new(id, source, title, $"https://example.org/{source}", heading, text);

    [Fact]
    public void Search_RanksTheChunkWithMoreOfTheRarerTermsFirst()
    {
        var index = Bm25Index.Build(
        [
            Chunk("a", "The school office is open every weekday morning."),
            Chunk("b", "Breakfast club opens at 7.45am in the school hall."),
            Chunk("c", "After-school club runs until 6pm in the school hall."),
        ]);

        var hits = index.Search("When does breakfast club start?", 3);

        Assert.Equal(["b", "c"], hits.Select(h => h.Chunk.ChunkId));
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public void Search_HeadingAndTitleTermsCountMoreThanBodyTerms()
    {
        var index = Bm25Index.Build(
        [
            Chunk("body", "Bring a packed lunch. Our uniform shop sells jumpers.", heading: "Trips"),
            Chunk("heading", "Bring a packed lunch. Jumpers are sold in the shop.", heading: "Uniform"),
            Chunk("title", "Bring a packed lunch. Jumpers are sold in the shop.", title: "Uniform guide", source: "src_other"),
            Chunk("none", "Bring a packed lunch. Jumpers are sold in the shop."),
        ]);

        var hits = index.Search("uniform", 5);

        Assert.Equal(["heading", "title", "body"], hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public void Search_QueriesWithNoIndexedTerms_ReturnNothing()
    {
        var index = Bm25Index.Build([Chunk("a", "Term dates for 2025 and 2026.")]);

        Assert.Empty(index.Search("What is it?", 5));
        Assert.Empty(index.Search("netball", 5));
        Assert.Empty(index.Search("", 5));
        Assert.Empty(index.Search("term", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("term", -1));
        Assert.Empty(Bm25Index.Empty.Search("term", 5));
    }

    [Fact]
    public void Search_ReturnsAtMostTopHits_AndEqualScoresKeepIndexOrder()
    {
        var chunks = Enumerable.Range(0, 20).Select(i => Chunk($"c{i:D2}", "Uniform is a blue sweatshirt.")).ToList();
        var index = Bm25Index.Build(chunks);

        var hits = index.Search("blue sweatshirt", 5);

        Assert.Equal(["c00", "c01", "c02", "c03", "c04"], hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public void Search_IsSafeFromManyThreads()
    {
        var index = Bm25Index.Build(RetrievalCorpus.Load().Chunks);
        var expected = index.Search("breakfast club cost", 5).Select(h => h.Chunk.ChunkId).ToList();

        Parallel.For(0, 200, _ =>
            Assert.Equal(expected, index.Search("breakfast club cost", 5).Select(h => h.Chunk.ChunkId)));
    }

    [Fact]
    public void Snippet_OfALongChunk_IsAroundTheMatchingTermsAndWithinTheLimit()
    {
        var filler = string.Join(" ", Enumerable.Repeat("Children learn through play and structured lessons every day.", 8));
        var text = $"{filler} Lost property is kept in the blue box by the office for two weeks. {filler}";
        var index = Bm25Index.Build([Chunk("a", text)]);

        var snippet = index.Search("where is lost property kept", 1)[0].Snippet;

        Assert.Contains("Lost property is kept in the blue box by the office for two weeks.", snippet, StringComparison.Ordinal);
        Assert.True(snippet.Length <= Bm25Index.SnippetLength, $"snippet is {snippet.Length} characters");
        Assert.StartsWith("…", snippet, StringComparison.Ordinal);
        Assert.EndsWith("…", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Snippet_WhenTheMatchEndsTheText_FillsTheBudgetWithWhatComesBefore()
    {
        var filler = string.Join(" ", Enumerable.Repeat("Children learn through play and structured lessons every day.", 8));
        var index = Bm25Index.Build([Chunk("a", $"{filler} The school day ends at 3.20pm.")]);

        var snippet = index.Search("when does the school day end", 1)[0].Snippet;

        Assert.EndsWith("The school day ends at 3.20pm.", snippet, StringComparison.Ordinal);
        Assert.InRange(snippet.Length, Bm25Index.SnippetLength - 80, Bm25Index.SnippetLength);
    }

    [Fact]
    public void Snippet_OfAShortChunk_IsTheWholeTextWithWhitespaceCollapsed()
    {
        var index = Bm25Index.Build([Chunk("a", "Gates open at 8.40am.\n\n  Registration is at 8.50am.")]);

        Assert.Equal("Gates open at 8.40am. Registration is at 8.50am.", index.Search("registration", 1)[0].Snippet);
    }

    [Fact]
    public void Snippet_WhenOnlyTheTitleMatches_IsTheStartOfTheText()
    {
        var text = string.Join(" ", Enumerable.Repeat("Plain black shoes, no trainers.", 20));
        var index = Bm25Index.Build([Chunk("a", text, title: "Uniform")]);

        var snippet = index.Search("uniform", 1)[0].Snippet;

        Assert.StartsWith("Plain black shoes", snippet, StringComparison.Ordinal);
        Assert.True(snippet.Length <= Bm25Index.SnippetLength);
    }

    [Fact]
    public void Snippets_OfTheFixtureCorpus_StayWithinTheLimitAndHoldAQueryTerm()
    {
        var corpus = RetrievalCorpus.Load();
        var index = Bm25Index.Build(corpus.Chunks);
        foreach (var question in corpus.Questions)
        {
            foreach (var hit in index.Search(question.Question, 5))
            {
                Assert.InRange(hit.Snippet.Length, 1, Bm25Index.SnippetLength);
                var queryTerms = TextAnalyzer.Analyze(question.Question).ToHashSet();
                var inText = TextAnalyzer.Analyze(hit.Chunk.Text).Any(queryTerms.Contains);
                Assert.True(!inText || TextAnalyzer.Analyze(hit.Snippet).Any(queryTerms.Contains),
                    $"snippet for \"{question.Question}\" from {hit.Chunk.ChunkId} holds no query term: {hit.Snippet}");
            }
        }
    }

    [Fact]
    public void Build_DuplicateChunkIds_Throw()
    {
        Assert.Throws<ArgumentException>(() => Bm25Index.Build([Chunk("a", "one"), Chunk("a", "two")]));
    }

    [Fact]
    public void WriteThenRead_GivesTheSameIndex()
    {
        var corpus = RetrievalCorpus.Load();
        var index = Bm25Index.Build(corpus.Chunks, new Bm25Parameters(1.1, 0.5, 1, 2));

        var bytes = Serialize(index);
        var read = Bm25Index.ReadFrom(bytes);
        var readFromStream = Bm25Index.ReadFrom(new NonSeekableStream(bytes));

        Assert.Equal(index.Parameters, read.Parameters);
        Assert.Equal(index.Count, read.Count);
        Assert.Equal(index.TermCount, read.TermCount);
        Assert.Equal(index.Chunks, read.Chunks);
        Assert.Equal(index.Chunks, readFromStream.Chunks);
        foreach (var question in corpus.Questions)
        {
            Assert.Equal(index.Search(question.Question, 5), read.Search(question.Question, 5));
        }

        // Deterministic: the same index always writes the same bytes.
        Assert.Equal(bytes, Serialize(read));
    }

    [Fact]
    public void WriteThenRead_KeepsNullsAndNonAsciiText()
    {
        var chunk = new IndexedChunk("c1", "src_1", "Café menu", null, null, "Crème brûlée £4.50 — 🍰 ready");
        var read = Bm25Index.ReadFrom(Serialize(Bm25Index.Build([chunk])));

        Assert.Equal(chunk, read.Chunks[0]);
        Assert.Equal("c1", read.Search("creme brulee", 1)[0].Chunk.ChunkId);
        Assert.Equal(0, Bm25Index.ReadFrom(Serialize(Bm25Index.Empty)).Count);
    }

    [Fact]
    public void ReadFrom_DataThatIsNotAnIndexOfThisFormat_Throws()
    {
        var bytes = Serialize(Bm25Index.Build([Chunk("a", "Term dates")]));

        Assert.Throws<InvalidDataException>(() => Bm25Index.ReadFrom("not an index"u8));
        var otherVersion = (byte[])bytes.Clone();
        otherVersion[4] = 99;
        var error = Assert.Throws<InvalidDataException>(() => Bm25Index.ReadFrom(otherVersion));
        Assert.Contains("version 99", error.Message, StringComparison.Ordinal);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => Bm25Index.ReadFrom(bytes.AsSpan(0, length)));
        }
    }

    private static byte[] Serialize(Bm25Index index)
    {
        using var stream = new MemoryStream();
        index.WriteTo(stream);
        return stream.ToArray();
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override bool TryGetBuffer(out ArraySegment<byte> buffer)
        {
            buffer = default;
            return false;
        }
    }
}
