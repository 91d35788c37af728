namespace Comx.Core.Knowledge.Retrieval;

/// <summary>One chunk of an organisation's ingested content, as the retrieval index stores and returns it.</summary>
/// <param name="ChunkId">Unique within the organisation.</param>
/// <param name="SourceId">The source (<c>src_…</c>) the chunk came from.</param>
/// <param name="Title">The source document's title; its terms count for every chunk of the document.</param>
/// <param name="Url">Where the chunk can be read, for citations.</param>
/// <param name="Heading">The heading the chunk sits under, if any; its terms count more than body text.</param>
/// <param name="Text">The chunk's text.</param>
public sealed record IndexedChunk(string ChunkId, string SourceId, string Title, string? Url, string? Heading, string Text)
{
    /// <summary>The vectors of the chunk's answer units, computed at ingest (null: none stored; the answer embeds them).</summary>
    public SentenceVectors? Sentences { get; init; }
}

/// <summary>A search result: the chunk, its score, and a passage of its text around the matching terms.</summary>
/// <param name="Chunk">The chunk.</param>
/// <param name="Score">BM25, or for a hybrid search the fused score the hits are ordered by.</param>
/// <param name="Snippet">A passage of the chunk's text around the matching terms.</param>
/// <param name="Similarity">Hybrid search only: the cosine similarity of the question to the chunk (null: lexical search).</param>
/// <param name="Lexical">Hybrid search only: the chunk's BM25 score.</param>
public sealed record SearchHit(IndexedChunk Chunk, double Score, string Snippet, double? Similarity = null, double Lexical = 0);

/// <summary>How hybrid ranking weighs dense similarity against BM25 (chosen on the answers benchmark's dev split).</summary>
public static class HybridRanking
{
    /// <summary>The weight of the cosine similarity; BM25, normalised by the best BM25 score, gets the rest.</summary>
    /// <remarks>On the StackFAQ dev split: 0 (BM25 alone) 80.5% right passage first, 0.6 93.5%, 0.8 96.0%, 1.0 96.5%
    /// (BENCHMARKS.md "Answers"). 0.8 rather than 1.0 keeps exact names, numbers and codes counting.</remarks>
    public const double DenseWeight = 0.8;
}

/// <summary>
/// Scoring parameters, fixed when an index is built and stored with it. The defaults were chosen on the fixture
/// corpus (Comx.Tests/Fixtures/Retrieval, 81 visitor questions over 32 pages of four organisations) from a grid of
/// k1 0.6–2.0, b 0.3–0.75 and field weights 0–4, where everything with b ≤ 0.6 and a title weight of 1–3 ranks the
/// expected chunk first for 91–95% of questions; the defaults sit in the middle of that plateau, not on its best cell.
/// </summary>
/// <param name="K1">Term-frequency saturation. Field weights multiply term frequencies (a heading word counts three
/// times), so saturation comes a little later than the usual 1.2.</param>
/// <param name="B">Length normalisation. Pages are chunked by heading, so a short chunk is short because its section
/// is, not because it is more focused; the textbook 0.75 over-rewards one-line intro chunks.</param>
/// <param name="TitleWeight">How many body occurrences one title occurrence counts as (BM25F-style field weight). The
/// title belongs to every chunk of its page, so it mostly decides which page, and the heading and body which chunk.</param>
/// <param name="HeadingWeight">How many body occurrences one heading occurrence counts as.</param>
public sealed record Bm25Parameters(double K1 = 1.5, double B = 0.45, int TitleWeight = 2, int HeadingWeight = 3)
{
    public static Bm25Parameters Default { get; } = new();
}
