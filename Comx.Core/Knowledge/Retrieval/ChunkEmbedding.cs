using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace Comx.Core.Knowledge.Retrieval;

/// <summary>
/// What of a chunk is embedded, and the vectors for a set of chunks, reusing those of chunks whose embedded text has
/// not changed since the previous index (keyed by a hash of that text), so a re-ingest embeds only what changed.
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

    /// <summary>The previous index's vectors by content key (empty when it has none, or of another length).</summary>
    public static Dictionary<string, float[]> Reusable(Bm25Index previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var reusable = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (!previous.HasVectors)
        {
            return reusable;
        }

        for (var d = 0; d < previous.Count; d++)
        {
            reusable.TryAdd(ContentKey(Input(previous.Chunks[d])), previous.VectorAt(d));
        }

        return reusable;
    }

    /// <summary>One vector per chunk: reused when the previous index had the same text, embedded otherwise.</summary>
    /// <returns>The vectors, and how many chunks had to be embedded.</returns>
    public static async Task<(IReadOnlyList<ReadOnlyMemory<float>> Vectors, int Embedded)> VectorsAsync(IReadOnlyList<IndexedChunk> chunks,
        IReadOnlyDictionary<string, float[]> reusable, IEmbeddingGenerator<string, Embedding<float>> generator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(reusable);
        ArgumentNullException.ThrowIfNull(generator);
        var vectors = new ReadOnlyMemory<float>[chunks.Count];
        var missing = new List<(int Index, string Input)>();
        for (var i = 0; i < chunks.Count; i++)
        {
            var input = Input(chunks[i]);
            if (reusable.TryGetValue(ContentKey(input), out var vector))
            {
                vectors[i] = vector;
            }
            else
            {
                missing.Add((i, input));
            }
        }

        if (missing.Count > 0)
        {
            var embeddings = await generator.GenerateAsync(missing.Select(m => m.Input), cancellationToken: cancellationToken);
            for (var j = 0; j < missing.Count; j++)
            {
                vectors[missing[j].Index] = embeddings[j].Vector;
            }
        }

        // Reused and new vectors must agree in length (a model switch changes it): then everything is embedded afresh.
        var length = vectors.Length == 0 ? 0 : vectors[0].Length;
        if (vectors.Any(v => v.Length != length) && reusable.Count > 0)
        {
            return await VectorsAsync(chunks, new Dictionary<string, float[]>(), generator, cancellationToken);
        }

        return (vectors, missing.Count);
    }
}
