using Microsoft.Extensions.AI;

namespace Comx.Tests.Embeddings;

/// <summary>A real generator (the local model in these tests), counting the calls made to it and the texts it embeds.</summary>
internal sealed class CountingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private int _calls;
    private int _embedded;

    public int Calls => Volatile.Read(ref _calls);

    public int Embedded => Volatile.Read(ref _embedded);

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _embedded, list.Count);
        return base.GenerateAsync(list, options, cancellationToken);
    }
}
