namespace Comx.Core.Embeddings;

/// <summary>
/// Which embedding model turns text into vectors (<c>Comx:Ai</c>, the section chat's model settings live in). Without
/// <see cref="EmbeddingModel"/> the local all-MiniLM-L6-v2 embeds in process; with it, the OpenAI-compatible endpoint
/// <see cref="Endpoint"/> does (the same endpoint and key the chat model uses).
/// </summary>
public sealed class EmbeddingOptions
{
    public const string Section = "Comx:Ai";

    public string? Endpoint { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Model or deployment name of the remote embedding model; unset means the local model.</summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>How long one embedding call to the endpoint may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public bool UsesEndpoint => !string.IsNullOrWhiteSpace(EmbeddingModel) && !string.IsNullOrWhiteSpace(Endpoint);
}
