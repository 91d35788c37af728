using Comx.Core.Embeddings;
using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Embeddings;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Knowledge;

/// <summary>Chunk vectors in the index: quantised storage, format versions, hybrid ranking, and ingest embedding only what changed.</summary>
public sealed class IndexVectorTests
{
    private static IndexedChunk Chunk(string id, string text, string? heading = null) => new(id, "src_page", "Page", null, heading, text);

    private static float[] UnitVector(Random random, int dimensions)
    {
        var vector = Enumerable.Range(0, dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var norm = MathF.Sqrt(vector.Sum(x => x * x));
        return [.. vector.Select(x => x / norm)];
    }

    private static byte[] Serialize(Bm25Index index)
    {
        using var stream = new MemoryStream();
        index.WriteTo(stream);
        return stream.ToArray();
    }

    [Fact]
    public void Vectors_SurviveWriteAndRead_QuantisedWithinAHundredth()
    {
        var random = new Random(7);
        var vectors = Enumerable.Range(0, 5).Select(_ => UnitVector(random, 384)).ToArray();
        var built = Bm25Index.Build(Enumerable.Range(0, 5).Select(i => Chunk($"c{i}", $"text {i}")), vectors: [.. vectors.Select(v => (ReadOnlyMemory<float>)v)]);

        var read = Bm25Index.ReadFrom(Serialize(built));

        Assert.True(read.HasVectors);
        Assert.Equal(384, read.Dimensions);
        for (var d = 0; d < 5; d++)
        {
            Assert.InRange(read.Similarity(d, vectors[d]), 0.99f, 1.01f);
            Assert.InRange(read.Similarity(d, vectors[(d + 1) % 5]), -0.2f, 0.2f);
            var restored = read.VectorAt(d);
            Assert.All(Enumerable.Range(0, 384), i => Assert.InRange(restored[i] - vectors[d][i], -0.01f, 0.01f));
        }
    }

    [Fact]
    public void FormatOneIndex_WithoutVectors_IsStillReadAndSearchedLexically()
    {
        var current = Serialize(Bm25Index.Build([Chunk("a", "Chess club meets on Wednesdays")]));
        // Format 1 is format 2 without the vectors section (one 0 byte for "no dimensions" before the closing magic).
        var formatOne = current[..^5].Concat(current[^4..]).ToArray();
        formatOne[4] = 1;

        var read = Bm25Index.ReadFrom(formatOne);

        Assert.False(read.HasVectors);
        Assert.Equal("a", read.Search("chess club", 1, new float[384])[0].Chunk.ChunkId);
        Assert.Null(read.Search("chess club", 1)[0].Similarity);
    }

    [Fact]
    public void HybridSearch_FindsAChunkSharingNoWordWithTheQuery_ByItsVector()
    {
        var random = new Random(3);
        var lunches = UnitVector(random, 8);
        var clubs = UnitVector(random, 8);
        var index = Bm25Index.Build([Chunk("clubs", "Chess club meets on Wednesdays"), Chunk("lunches", "Lunches cost two pounds")], vectors: [clubs, lunches]);

        var hits = index.Search("How much are dinners?", 2, lunches);

        Assert.Equal("lunches", hits[0].Chunk.ChunkId);
        Assert.InRange(hits[0].Similarity!.Value, 0.99, 1.01);
        Assert.Empty(index.Search("How much are dinners?", 2));
    }

    [Fact]
    public void Build_WithAVectorPerChunkMissing_Throws()
    {
        Assert.Throws<ArgumentException>(() => Bm25Index.Build([Chunk("a", "x"), Chunk("b", "y")], vectors: [new float[4]]));
        Assert.Throws<ArgumentException>(() => Bm25Index.Build([Chunk("a", "x"), Chunk("b", "y")], vectors: [new float[4], new float[5]]));
    }

    [Fact]
    public async Task Ingest_EmbedsOnlyChunksWhoseTextChanged_AndPublishesTheirVectors()
    {
        var counting = new CountingEmbeddingGenerator(new LocalEmbeddingGenerator());
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(counting));
        var driver = new IngestDriver(app, await TestOrg.CreateAsync(app));

        await driver.IngestAsync(new { type = "text", title = "Parent FAQ", content = "# Clubs\n\nChess club meets on Wednesdays.\n\n# Lunches\n\nHot lunches cost two pounds forty a day.\n" });
        var afterFirst = counting.Embedded;
        await driver.IngestAsync(new { type = "text", title = "Uniform", content = "Pupils wear a navy jumper." });

        // Each chunk is embedded with its one sentence (the answer unit ingest stores a vector for): 2 chunks + 2 sentences,
        // then only the new chunk and its sentence; the unchanged chunks' vectors and their sentences' are reused.
        Assert.Equal(4, afterFirst);
        Assert.Equal(6, counting.Embedded);
        var index = await app.Services.GetRequiredService<RetrievalIndexStore>().GetAsync(driver.Org.OrgId);
        Assert.Equal(3, index.Count);
        Assert.True(index.HasVectors);
        var question = (await counting.GenerateAsync(["How much do school dinners cost?"], cancellationToken: TestContext.Current.CancellationToken))[0].Vector;
        Assert.Equal("Lunches", index.Search("How much do school dinners cost?", 1, question.Span)[0].Chunk.Heading);
    }
}
