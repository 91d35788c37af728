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
