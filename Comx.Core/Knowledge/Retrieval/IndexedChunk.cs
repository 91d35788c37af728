namespace Comx.Core.Knowledge.Retrieval;

/// <summary>One chunk of an organisation's ingested content, as the retrieval index stores and returns it.</summary>
/// <param name="ChunkId">Unique within the organisation.</param>
/// <param name="SourceId">The source (<c>src_…</c>) the chunk came from.</param>
/// <param name="Title">The source document's title; its terms count for every chunk of the document.</param>
/// <param name="Url">Where the chunk can be read, for citations.</param>
/// <param name="Heading">The heading the chunk sits under, if any; its terms count more than body text.</param>
/// <param name="Text">The chunk's text.</param>
public sealed record IndexedChunk(string ChunkId, string SourceId, string Title, string? Url, string? Heading, string Text);

/// <summary>A search result: the chunk, its BM25 score, and a passage of its text around the matching terms.</summary>
public sealed record SearchHit(IndexedChunk Chunk, double Score, string Snippet);

/// <summary>
/// Scoring parameters, fixed when an index is built and stored with it.
/// </summary>
/// <param name="K1">Term-frequency saturation. Chunks are short (a few paragraphs), so a repeated word should stop
/// paying quickly; 1.2 is the usual default and our fixture questions do as well with 0.9–1.5.</param>
/// <param name="B">Length normalisation. Chunking already evens lengths out, so less than the textbook 0.75.</param>
/// <param name="TitleWeight">How many body occurrences one title occurrence counts as (BM25F-style field weight).</param>
/// <param name="HeadingWeight">How many body occurrences one heading occurrence counts as.</param>
public sealed record Bm25Parameters(double K1 = 1.2, double B = 0.6, int TitleWeight = 2, int HeadingWeight = 3)
{
    public static Bm25Parameters Default { get; } = new();
}
