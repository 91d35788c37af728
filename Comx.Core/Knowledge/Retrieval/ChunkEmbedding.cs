using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace Comx.Core.Knowledge.Retrieval;

/// <summary>Chunks ready to index: each with its answer units' vectors attached, and one vector per chunk.</summary>
/// <param name="Chunks">The chunks, in the order given, with <see cref="IndexedChunk.Sentences"/> set where they have units.</param>
/// <param name="Vectors">One vector per chunk.</param>
/// <param name="EmbeddedChunks">How many chunk vectors had to be computed (the rest were reused).</param>
/// <param name="EmbeddedUnits">How many unit vectors had to be computed (the rest were reused).</param>
public sealed record ChunkVectors(IReadOnlyList<IndexedChunk> Chunks, IReadOnlyList<ReadOnlyMemory<float>> Vectors, int EmbeddedChunks, int EmbeddedUnits)
{
    /// <summary>The index of these chunks and their vectors.</summary>
    public Bm25Index Build(Bm25Parameters? parameters = null) => Bm25Index.Build(Chunks, parameters, Vectors);
}

/// <summary>
/// What of a chunk is embedded, and the vectors for a set of chunks: one per chunk (ranking, and whether to answer) and
/// one per answer unit (which sentences answer), reusing those of chunks whose text has not changed since the previous
/// index (keyed by a hash of the embedded text), so a re-ingest embeds only what changed.
/// </summary>
public static class ChunkEmbedding
{
    /// <summary>The embedded text: page title and heading give the passage its topic ("Term dates — Spring term").</summary>
    public static string Input(IndexedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var context = chunk.Heading is { Length: > 0 } heading && !string.Equals(heading, chunk.Title, StringComparison.Ordinal)
            ? $"{chunk.Title} - {heading}"
            : chunk.Title;
        return $"{context}\n{chunk.Text}";
    }

    public static string ContentKey(string input) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(input)).AsSpan(0, 16));

    /// <summary>
    /// Embeds <paramref name="chunks"/> and their answer units, reusing the vectors <paramref name="previous"/> holds for
    /// the same texts. Everything left to embed goes to the generator in one call (it batches).
    /// </summary>
    public static async Task<ChunkVectors> EmbedAsync(IReadOnlyList<IndexedChunk> chunks, Bm25Index previous,
        IEmbeddingGenerator<string, Embedding<float>> generator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(generator);
        var reusable = Reusable(previous);
        var vectors = new ReadOnlyMemory<float>[chunks.Count];
        var unitInputs = new IReadOnlyList<string>[chunks.Count];
        var sentences = new SentenceVectors?[chunks.Count];
        var missingChunks = new List<int>();
        var missingUnits = new List<int>();
        var texts = new List<string>();
        for (var i = 0; i < chunks.Count; i++)
        {
            var input = Input(chunks[i]);
            unitInputs[i] = AnswerUnits.EmbeddingInputs(chunks[i], AnswerUnits.Of(chunks[i]));
            reusable.TryGetValue(ContentKey(input), out var old);
            if (old.Vector is not null)
            {
                vectors[i] = old.Vector;
            }
            else
            {
                missingChunks.Add(i);
                texts.Add(input);
            }

            if (old.Sentences is { } stored && stored.Matches(unitInputs[i]))
            {
                sentences[i] = stored;
            }
            else if (unitInputs[i].Count > 0)
            {
                missingUnits.Add(i);
            }
        }

        foreach (var i in missingUnits)
        {
            texts.AddRange(unitInputs[i]);
        }

        IList<Embedding<float>> embedded = texts.Count == 0 ? [] : await generator.GenerateAsync(texts, cancellationToken: cancellationToken);
        var next = 0;
        foreach (var i in missingChunks)
        {
            vectors[i] = embedded[next++].Vector;
        }

        foreach (var i in missingUnits)
        {
            var count = unitInputs[i].Count;
            sentences[i] = SentenceVectors.Create(unitInputs[i], [.. embedded.Skip(next).Take(count).Select(e => e.Vector)]);
            next += count;
        }

        // Reused and new vectors must agree in length (a model switch changes it): then everything is embedded afresh.
        var length = vectors.Length == 0 ? 0 : vectors[0].Length;
        if (reusable.Count > 0 && (vectors.Any(v => v.Length != length) || sentences.Any(s => s is not null && s.Dimensions != length)))
        {
            return await EmbedAsync(chunks, Bm25Index.Empty, generator, cancellationToken);
        }

        var withSentences = chunks.Select((c, i) => c with { Sentences = sentences[i] }).ToList();
        return new ChunkVectors(withSentences, vectors, missingChunks.Count, missingUnits.Sum(i => unitInputs[i].Count));
    }

    /// <summary>The previous index's vectors by content key (empty when it has none).</summary>
    private static Dictionary<string, (float[]? Vector, SentenceVectors? Sentences)> Reusable(Bm25Index previous)
    {
        var reusable = new Dictionary<string, (float[]?, SentenceVectors?)>(StringComparer.Ordinal);
        if (!previous.HasVectors)
        {
            return reusable;
        }

        for (var d = 0; d < previous.Count; d++)
        {
            var chunk = previous.Chunks[d];
            reusable.TryAdd(ContentKey(Input(chunk)), (previous.VectorAt(d), chunk.Sentences));
        }

        return reusable;
    }
}
