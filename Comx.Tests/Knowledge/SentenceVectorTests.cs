using Comx.Core.Embeddings;
using Comx.Core.Knowledge.Retrieval;
using Comx.Core.Storage;
using Comx.Tests.Chat;
using Comx.Tests.Embeddings;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Knowledge;

/// <summary>
/// Answer units' vectors computed at ingest and stored in the index blob, so an answer embeds only the question; blobs
/// from before them still load and answer. All with the real local model.
/// </summary>
public sealed class SentenceVectorTests
{
    private static readonly IReadOnlyList<IndexedChunk> Pages =
    [
        new("chk_spring", "src_terms", "Term dates 2026–27", null, "Term dates › Spring term",
            "Spring term starts on Monday 4 January 2027. February half term is from 15 to 19 February 2027. The spring term ends on Thursday 25 March 2027."),
        new("chk_kit", "src_pe", "PE kit", null, "What to bring",
            "On PE days children come to school in their kit. You will need:\n- a white T-shirt\n- navy shorts\nPlease label every item."),
        new("chk_fees", "src_trips", "Trips and fees", null, null, "Year | Trip | Cost\nYear 3 | Roman museum | £12\nYear 6 | Residential | £320"),
    ];

    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private static byte[] Blob(Bm25Index index)
    {
        using var stream = new MemoryStream();
        RetrievalIndexStore.WriteBlob(stream, index);
        return stream.ToArray();
    }

    [Fact]
    public async Task IngestedSource_AnswerEmbedsOnlyTheQuestion()
    {
        var counting = new CountingEmbeddingGenerator(new LocalEmbeddingGenerator());
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(counting));
        var org = await ChatTestOrg.CreateAsync(app, knowledge: []);
        await new IngestDriver(app, org.Org).IngestAsync(new
        {
            type = "text",
            title = "Parent FAQ",
            content = "# Lunches\n\nSchool lunches cost £2.60 a day. They are paid online through ParentPay. Reception to Year 2 lunches are free.\n\n"
                + "# Clubs\n\nChess club meets on Wednesdays in the library. Football is on Mondays after school.\n",
        });
        var visitor = await org.StartAsync(app);
        var (calls, embedded) = (counting.Calls, counting.Embedded);

        var answer = (await visitor.AskAsync("How much are school dinners?")).GetProperty("answer");

        Assert.False(answer.GetProperty("fallback").GetBoolean(), answer.ToString());
        Assert.Contains("£2.60", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, counting.Calls - calls);
        Assert.Equal(1, counting.Embedded - embedded);
    }

    [Fact]
    public async Task BlobFromBeforeUnitVectors_StillLoadsAndAnswers_EmbeddingItsUnitsOnTheRequest()
    {
        var counting = new CountingEmbeddingGenerator(new LocalEmbeddingGenerator());
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(counting));
        var org = await ChatTestOrg.CreateAsync(app, knowledge: []);
        var current = await ChunkEmbedding.EmbedAsync(ChatTestOrg.Knowledge, Bm25Index.Empty, counting, Cancel);
        // The previous format: the bare index (chunk vectors, no unit vectors), as published before this change.
        var publication = await app.Services.GetRequiredService<RetrievalIndexStore>().PublishAsync(org.Org.OrgId, current.Build(), Cancel);
        using (var bare = new MemoryStream())
        {
            current.Build().WriteTo(bare);
            bare.Position = 0;
            await app.Storage.Container(StorageNames.Containers.RetrievalIndex).GetBlobClient($"{org.Org.OrgId}/{publication.Version}.bm25")
                .UploadAsync(bare, overwrite: true, Cancel);
        }

        var visitor = await org.StartAsync(app);
        var calls = counting.Calls;

        var answer = (await visitor.AskAsync("How much are school dinners?")).GetProperty("answer");

        Assert.False(answer.GetProperty("fallback").GetBoolean(), answer.ToString());
        Assert.Contains("£2.60", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        // The question, then the best passage's units (nothing stored for them).
        Assert.Equal(2, counting.Calls - calls);
        var loaded = await app.Services.GetRequiredService<RetrievalIndexStore>().GetAsync(org.Org.OrgId, Cancel);
        Assert.True(loaded.HasVectors);
        Assert.All(loaded.Chunks, c => Assert.Null(c.Sentences));
    }

    [Fact]
    public async Task Blob_KeepsEveryChunksUnitVectors_CloseToTheModelsOwn()
    {
        var model = new LocalEmbeddingGenerator();
        var embedded = await ChunkEmbedding.EmbedAsync(Pages, Bm25Index.Empty, model, Cancel);

        var read = RetrievalIndexStore.ReadBlob(Blob(embedded.Build()));

        Assert.Equal(3, read.Count);
        for (var d = 0; d < read.Count; d++)
        {
            var chunk = read.Chunks[d];
            var inputs = AnswerUnits.EmbeddingInputs(chunk, AnswerUnits.Of(chunk));
            Assert.Equal(embedded.Chunks[d].Sentences, chunk.Sentences);
            Assert.True(chunk.Sentences!.Matches(inputs));
            var exact = await model.GenerateAsync(inputs, cancellationToken: Cancel);
            for (var u = 0; u < inputs.Count; u++)
            {
                var vector = exact[u].Vector.Span;
                Assert.InRange(chunk.Sentences.Similarity(u, vector), 0.99f, 1.01f);
            }
        }

        // The spring chunk's units: three sentences, each embedded under its innermost heading.
        Assert.Equal(3, read.Chunks[0].Sentences!.Count);
        Assert.StartsWith("Spring term: February half term", AnswerUnits.EmbeddingInputs(read.Chunks[0], AnswerUnits.Of(read.Chunks[0]))[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Blob_TruncatedAnywhere_IsRejected_AndABareIndexReadsWithoutUnitVectors()
    {
        var random = new Random(5);
        var vectors = Pages.Select(_ => (ReadOnlyMemory<float>)Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var chunks = Pages.Select(c =>
        {
            var inputs = AnswerUnits.EmbeddingInputs(c, AnswerUnits.Of(c));
            return c with { Sentences = SentenceVectors.Create(inputs, [.. inputs.Select(_ => (ReadOnlyMemory<float>)new float[] { 1, 0, 0, 0, 0, 0, 0, 0 })]) };
        }).ToList();
        var index = Bm25Index.Build(chunks, vectors: vectors);
        var blob = Blob(index);

        Assert.Equal(chunks.Select(c => c.Sentences), RetrievalIndexStore.ReadBlob(blob).Chunks.Select(c => c.Sentences));
        for (var length = 0; length < blob.Length; length += 7)
        {
            Assert.Throws<InvalidDataException>(() => RetrievalIndexStore.ReadBlob(blob.AsMemory(0, length)));
        }

        using var bare = new MemoryStream();
        index.WriteTo(bare);
        Assert.All(RetrievalIndexStore.ReadBlob(bare.ToArray()).Chunks, c => Assert.Null(c.Sentences));
    }

    [Fact]
    public async Task Reingest_ReusesUnitVectorsOfUnchangedChunks_AndEmbedsThoseOfAChangedOne()
    {
        var counting = new CountingEmbeddingGenerator(new LocalEmbeddingGenerator());
        var first = await ChunkEmbedding.EmbedAsync(Pages, Bm25Index.Empty, counting, Cancel);
        var units = Pages.Sum(c => AnswerUnits.Of(c).Count);
        Assert.Equal((3, units, 3 + units), (first.EmbeddedChunks, first.EmbeddedUnits, counting.Embedded));
        var previous = RetrievalIndexStore.ReadBlob(Blob(first.Build()));

        var same = await ChunkEmbedding.EmbedAsync(Pages, previous, counting, Cancel);
        var changed = await ChunkEmbedding.EmbedAsync([Pages[0], Pages[1] with { Text = Pages[1].Text + " Earrings must be removed." }, Pages[2]], previous, counting, Cancel);

        Assert.Equal((0, 0), (same.EmbeddedChunks, same.EmbeddedUnits));
        Assert.Equal(first.Chunks.Select(c => c.Sentences), same.Chunks.Select(c => c.Sentences));
        Assert.Equal((1, AnswerUnits.Of(changed.Chunks[1]).Count), (changed.EmbeddedChunks, changed.EmbeddedUnits));
        Assert.Equal(first.Chunks[0].Sentences, changed.Chunks[0].Sentences);
        Assert.NotEqual(first.Chunks[1].Sentences, changed.Chunks[1].Sentences);
        Assert.Equal(3 + units + 1 + changed.EmbeddedUnits, counting.Embedded);
    }
}
