using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Comx.Core.Knowledge.Retrieval;

/// <summary>
/// An immutable BM25 index over one organisation's chunks, safe to search from many threads at once.
/// </summary>
/// <remarks>
/// Title, heading and body are scored as one field with per-field weights (BM25F with a single length
/// normalisation): a title term counts as <see cref="Bm25Parameters.TitleWeight"/> body occurrences and adds as
/// much to the chunk's length. IDF is <c>ln(1 + (N − df + 0.5) / (df + 0.5))</c>, never negative. Postings are
/// flat arrays (document ids and weighted term frequencies, per term contiguous), so a query is one pass over each
/// of its terms' postings into a pooled score array, then a top-k heap. Chunk texts are kept as UTF-8 in one array
/// and decoded only for hits, which halves the memory an index holds and the work of loading it.
/// </remarks>
public sealed class Bm25Index
{
    /// <summary>The longest snippet returned, in characters (ellipses included).</summary>
    public const int SnippetLength = 240;

    // Replacement, not an exception, for a lone surrogate in extracted text: it must not fail a build or publish.
    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>Each chunk without its text (<see cref="IndexedChunk.Text"/> is empty); see <see cref="ChunkAt"/>.</summary>
    private readonly IndexedChunk[] _chunks;
    private readonly byte[] _texts;
    private readonly int[] _textStarts;
    private readonly int[] _lengths;
    private readonly float[] _lengthNorms;
    private readonly Dictionary<string, int> _termIds;
    private readonly string[] _terms;
    private readonly int[] _postingStarts;
    private readonly int[] _postingDocs;
    private readonly byte[] _postingFrequencies;
    private readonly float[] _idf;
    private readonly float _k1;

    /// <summary>Chunk vectors quantised to int8, <see cref="Dimensions"/> per chunk, each with a scale (value = q × scale).</summary>
    private readonly sbyte[] _vectors;
    private readonly float[] _vectorScales;

    private Bm25Index(Bm25Parameters parameters, IndexedChunk[] chunks, byte[] texts, int[] textStarts, int[] lengths,
        string[] terms, int[] postingStarts, int[] postingDocs, byte[] postingFrequencies, int dimensions = 0, sbyte[]? vectors = null, float[]? vectorScales = null)
    {
        Parameters = parameters;
        Dimensions = dimensions;
        _vectors = vectors ?? [];
        _vectorScales = vectorScales ?? [];
        _chunks = chunks;
        _texts = texts;
        _textStarts = textStarts;
        Chunks = new ChunkList(this);
        _lengths = lengths;
        _terms = terms;
        _postingStarts = postingStarts;
        _postingDocs = postingDocs;
        _postingFrequencies = postingFrequencies;
        _k1 = (float)parameters.K1;

        _termIds = new Dictionary<string, int>(terms.Length, StringComparer.Ordinal);
        for (var t = 0; t < terms.Length; t++)
        {
            _termIds.Add(terms[t], t);
        }

        var n = chunks.Length;
        _idf = new float[terms.Length];
        for (var t = 0; t < terms.Length; t++)
        {
            var df = postingStarts[t + 1] - postingStarts[t];
            _idf[t] = (float)Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
        }

        long total = 0;
        foreach (var length in lengths)
        {
            total += length;
        }

        var average = n == 0 ? 1.0 : Math.Max(1.0, (double)total / n);
        _lengthNorms = new float[n];
        for (var d = 0; d < n; d++)
        {
            _lengthNorms[d] = (float)(parameters.K1 * (1 - parameters.B + (parameters.B * lengths[d] / average)));
        }
    }

    /// <summary>An index with no chunks: every search returns nothing.</summary>
    public static Bm25Index Empty { get; } =
        new(Bm25Parameters.Default, [], [], [0], [], [], [0], [], []);

    public Bm25Parameters Parameters { get; }

    /// <summary>The number of chunks.</summary>
    public int Count => _chunks.Length;

    /// <summary>The length of the chunk vectors, or 0 when the index holds none (built without a model, or format 1).</summary>
    public int Dimensions { get; }

    /// <summary>Whether every chunk has a vector, so dense similarity and hybrid ranking are available.</summary>
    public bool HasVectors => Dimensions > 0;

    /// <summary>The number of distinct terms.</summary>
    public int TermCount => _terms.Length;

    /// <summary>The indexed chunks, in the order they were given to <see cref="Build"/>.</summary>
    public IReadOnlyList<IndexedChunk> Chunks { get; }

    /// <summary>Builds an index. Chunk ids must be unique.</summary>
    /// <param name="chunks">The chunks.</param>
    /// <param name="parameters">BM25 parameters; the defaults when null.</param>
    /// <param name="vectors">One embedding per chunk, in the same order, all of one length (stored quantised); or null.</param>
    public static Bm25Index Build(IEnumerable<IndexedChunk> chunks, Bm25Parameters? parameters = null, IReadOnlyList<ReadOnlyMemory<float>>? vectors = null)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        parameters ??= Bm25Parameters.Default;
        if (parameters.K1 <= 0 || parameters.B is < 0 or > 1 || parameters.TitleWeight < 0 || parameters.HeadingWeight < 0)
        {
            throw new ArgumentException("K1 must be positive, B within 0–1 and field weights non-negative.", nameof(parameters));
        }

        var list = chunks.ToArray();
        var ids = new HashSet<string>(list.Length, StringComparer.Ordinal);
        foreach (var chunk in list)
        {
            if (chunk?.ChunkId is null || chunk.SourceId is null || chunk.Title is null || chunk.Text is null)
            {
                throw new ArgumentException("Every chunk needs a ChunkId, SourceId, Title and Text.", nameof(chunks));
            }

            if (!ids.Add(chunk.ChunkId))
            {
                throw new ArgumentException($"Chunk id '{chunk.ChunkId}' appears more than once.", nameof(chunks));
            }
        }

        var postings = new Dictionary<string, PostingBuilder>(StringComparer.Ordinal);
        var lengths = new int[list.Length];
        var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var d = 0; d < list.Length; d++)
        {
            frequencies.Clear();
            var length = Count(frequencies, list[d].Text, 1)
                + Count(frequencies, list[d].Heading, parameters.HeadingWeight)
                + Count(frequencies, list[d].Title, parameters.TitleWeight);
            lengths[d] = length;
            foreach (var (term, frequency) in frequencies)
            {
                if (!postings.TryGetValue(term, out var builder))
                {
                    builder = new PostingBuilder();
                    postings.Add(term, builder);
                }

                builder.Add(d, (byte)Math.Min(frequency, byte.MaxValue));
            }
        }

        var textStarts = new int[list.Length + 1];
        for (var d = 0; d < list.Length; d++)
        {
            textStarts[d + 1] = checked(textStarts[d] + Utf8.GetByteCount(list[d].Text));
        }

        var texts = new byte[textStarts[^1]];
        var heads = new IndexedChunk[list.Length];
        for (var d = 0; d < list.Length; d++)
        {
            Utf8.GetBytes(list[d].Text, texts.AsSpan(textStarts[d]));
            heads[d] = list[d] with { Text = "" };
        }

        var terms = postings.Keys.ToArray();
        Array.Sort(terms, StringComparer.Ordinal);
        var starts = new int[terms.Length + 1];
        var total = 0;
        for (var t = 0; t < terms.Length; t++)
        {
            starts[t] = total;
            total += postings[terms[t]].Count;
        }

        starts[terms.Length] = total;
        var docs = new int[total];
        var tfs = new byte[total];
        for (var t = 0; t < terms.Length; t++)
        {
            postings[terms[t]].CopyTo(docs.AsSpan(starts[t]), tfs.AsSpan(starts[t]));
        }

        var (dimensions, quantised, scales) = Quantise(vectors, list.Length);
        return new Bm25Index(parameters, heads, texts, textStarts, lengths, terms, starts, docs, tfs, dimensions, quantised, scales);

        static int Count(Dictionary<string, int> frequencies, string? text, int weight)
        {
            if (weight == 0 || string.IsNullOrEmpty(text))
            {
                return 0;
            }

            var count = 0;
            foreach (var term in TextAnalyzer.Analyze(text))
            {
                frequencies[term] = frequencies.GetValueOrDefault(term) + weight;
                count += weight;
            }

            return count;
        }
    }

    /// <summary>
    /// The best <paramref name="top"/> chunks for a query, best first (ties keep index order), each with a snippet.
    /// A query with no indexed terms returns nothing.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(string query, int top)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        if (top == 0 || _chunks.Length == 0)
        {
            return [];
        }

        var queryTerms = QueryTerms(query);
        if (queryTerms.Count == 0)
        {
            return [];
        }

        var ranked = Rank(queryTerms, top);
        var weights = new Dictionary<string, float>(queryTerms.Count, StringComparer.Ordinal);
        foreach (var id in queryTerms)
        {
            weights[_terms[id]] = _idf[id];
        }

        var hits = new SearchHit[ranked.Count];
        for (var i = 0; i < ranked.Count; i++)
        {
            var chunk = ChunkAt(ranked[i].Doc);
            hits[i] = new SearchHit(chunk, ranked[i].Score, Snippets.Build(chunk.Text, weights, SnippetLength));
        }

        return hits;
    }

    private List<(int Doc, float Score)> Rank(List<int> queryTerms, int top)
    {
        var scores = ArrayPool<float>.Shared.Rent(_chunks.Length);
        var touched = ArrayPool<int>.Shared.Rent(_chunks.Length);
        var touchedCount = 0;
        try
        {
            // Pooled arrays come back as their last user left them.
            Array.Clear(scores, 0, _chunks.Length);
            var k1PlusOne = _k1 + 1;
            foreach (var t in queryTerms)
            {
                var idf = _idf[t];
                var end = _postingStarts[t + 1];
                for (var p = _postingStarts[t]; p < end; p++)
                {
                    var d = _postingDocs[p];
                    float tf = _postingFrequencies[p];
                    var score = idf * tf * k1PlusOne / (tf + _lengthNorms[d]);
                    if (scores[d] == 0)
                    {
                        touched[touchedCount++] = d;
                    }

                    scores[d] += score;
                }
            }

            var heap = new TopK(Math.Min(top, touchedCount));
            for (var i = 0; i < touchedCount; i++)
            {
                var d = touched[i];
                heap.Offer(d, scores[d]);
            }

            return heap.ToSortedList();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(touched);
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>
    /// Hybrid search: BM25 fused with the cosine similarity of <paramref name="queryVector"/> to each chunk's vector.
    /// Each hit's score is <c>w·cosine + (1 − w)·bm25 / best bm25</c>, so the dense side ranks chunks that share no
    /// word with the question ("dinners" vs "lunches") and BM25 still lifts exact names and numbers. Every chunk is
    /// scored densely (a pass over int8 vectors: well under a millisecond for a few thousand chunks). Without vectors on
    /// either side this is <see cref="Search(string, int)"/>.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(string query, int top, ReadOnlySpan<float> queryVector, double denseWeight = HybridRanking.DenseWeight)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        if (!HasVectors || queryVector.Length != Dimensions)
        {
            return Search(query, top);
        }

        if (top == 0 || _chunks.Length == 0)
        {
            return [];
        }

        var queryTerms = QueryTerms(query);
        var n = _chunks.Length;
        var lexical = new float[n];
        var max = 0f;
        var k1PlusOne = _k1 + 1;
        foreach (var t in queryTerms)
        {
            var idf = _idf[t];
            for (var p = _postingStarts[t]; p < _postingStarts[t + 1]; p++)
            {
                var d = _postingDocs[p];
                float tf = _postingFrequencies[p];
                lexical[d] += idf * tf * k1PlusOne / (tf + _lengthNorms[d]);
            }
        }

        foreach (var score in lexical)
        {
            max = Math.Max(max, score);
        }

        var w = (float)Math.Clamp(denseWeight, 0, 1);
        var dense = new float[n];
        var heap = new TopK(Math.Min(top, n));
        for (var d = 0; d < n; d++)
        {
            dense[d] = Similarity(d, queryVector);
            var fused = (w * dense[d]) + (max > 0 ? (1 - w) * lexical[d] / max : 0);
            heap.Offer(d, fused);
        }

        var ranked = heap.ToSortedList();
        var weights = new Dictionary<string, float>(queryTerms.Count, StringComparer.Ordinal);
        foreach (var id in queryTerms)
        {
            weights[_terms[id]] = _idf[id];
        }

        var hits = new SearchHit[ranked.Count];
        for (var i = 0; i < ranked.Count; i++)
        {
            var chunk = ChunkAt(ranked[i].Doc);
            hits[i] = new SearchHit(chunk, ranked[i].Score, Snippets.Build(chunk.Text, weights, SnippetLength), dense[ranked[i].Doc], lexical[ranked[i].Doc]);
        }

        return hits;
    }

    /// <summary>The cosine similarity of a unit-length query vector to chunk <paramref name="doc"/>'s (unit-length) vector.</summary>
    public float Similarity(int doc, ReadOnlySpan<float> queryVector)
    {
        var vector = _vectors.AsSpan(doc * Dimensions, Dimensions);
        var sum = 0f;
        for (var i = 0; i < vector.Length; i++)
        {
            sum += vector[i] * queryVector[i];
        }

        return sum * _vectorScales[doc];
    }

    /// <summary>Chunk <paramref name="doc"/>'s vector, dequantised (to reuse it for unchanged text when rebuilding).</summary>
    public float[] VectorAt(int doc)
    {
        if (!HasVectors)
        {
            return [];
        }

        var vector = new float[Dimensions];
        var scale = _vectorScales[doc];
        var quantised = _vectors.AsSpan(doc * Dimensions, Dimensions);
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = quantised[i] * scale;
        }

        return vector;
    }

    /// <summary>
    /// Symmetric int8 quantisation with one scale per vector (its largest magnitude maps to 127): 4× smaller than
    /// float32, and the cosine error it adds (≈0.002 on MiniLM vectors) is far below the gaps ranking depends on.
    /// </summary>
    private static (int Dimensions, sbyte[] Vectors, float[] Scales) Quantise(IReadOnlyList<ReadOnlyMemory<float>>? vectors, int count)
    {
        if (vectors is null || count == 0)
        {
            return (0, [], []);
        }

        if (vectors.Count != count)
        {
            throw new ArgumentException("Give one vector per chunk.", nameof(vectors));
        }

        var dimensions = vectors[0].Length;
        if (dimensions == 0 || vectors.Any(v => v.Length != dimensions))
        {
            throw new ArgumentException("Chunk vectors must all have the same, non-zero length.", nameof(vectors));
        }

        var quantised = new sbyte[count * dimensions];
        var scales = new float[count];
        for (var d = 0; d < count; d++)
        {
            scales[d] = SentenceVectors.Quantise(vectors[d].Span, quantised.AsSpan(d * dimensions, dimensions));
        }

        return (dimensions, quantised, scales);
    }

    private List<int> QueryTerms(string query)
    {
        var queryTerms = new List<int>();
        foreach (var term in TextAnalyzer.Analyze(query))
        {
            if (_termIds.TryGetValue(term, out var id) && !queryTerms.Contains(id))
            {
                queryTerms.Add(id);
            }
        }

        return queryTerms;
    }

    /// <summary>Writes the index in its binary format (see <see cref="ReadFrom(ReadOnlySpan{byte})"/>).</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Utf8, leaveOpen: true);
        writer.Write(Format.Magic);
        writer.Write(Format.Version);
        writer.Write(Parameters.K1);
        writer.Write(Parameters.B);
        writer.Write7BitEncodedInt(Parameters.TitleWeight);
        writer.Write7BitEncodedInt(Parameters.HeadingWeight);

        // Source ids, titles and URLs repeat for every chunk of a document: stored once, referenced by number.
        var shared = new Dictionary<string, int>(StringComparer.Ordinal);
        var sharedList = new List<string>();
        int Shared(string value)
        {
            if (!shared.TryGetValue(value, out var index))
            {
                index = sharedList.Count;
                shared.Add(value, index);
                sharedList.Add(value);
            }

            return index;
        }

        var references = new (int Source, int Title, int Url)[_chunks.Length];
        for (var d = 0; d < _chunks.Length; d++)
        {
            var chunk = _chunks[d];
            references[d] = (Shared(chunk.SourceId), Shared(chunk.Title), chunk.Url is null ? -1 : Shared(chunk.Url));
        }

        writer.Write7BitEncodedInt(sharedList.Count);
        foreach (var value in sharedList)
        {
            writer.Write(value);
        }

        writer.Write7BitEncodedInt(_chunks.Length);
        writer.Write7BitEncodedInt(_texts.Length);
        for (var d = 0; d < _chunks.Length; d++)
        {
            var chunk = _chunks[d];
            writer.Write(chunk.ChunkId);
            writer.Write7BitEncodedInt(references[d].Source);
            writer.Write7BitEncodedInt(references[d].Title);
            writer.Write7BitEncodedInt(references[d].Url + 1);
            writer.Write(chunk.Heading is not null);
            if (chunk.Heading is not null)
            {
                writer.Write(chunk.Heading);
            }

            var text = _texts.AsSpan(_textStarts[d], _textStarts[d + 1] - _textStarts[d]);
            writer.Write7BitEncodedInt(text.Length);
            writer.Write(text);
            writer.Write7BitEncodedInt(_lengths[d]);
        }

        writer.Write7BitEncodedInt(_terms.Length);
        writer.Write7BitEncodedInt(_postingDocs.Length);
        for (var t = 0; t < _terms.Length; t++)
        {
            writer.Write(_terms[t]);
            var start = _postingStarts[t];
            var end = _postingStarts[t + 1];
            writer.Write7BitEncodedInt(end - start);
            var previous = -1;
            for (var p = start; p < end; p++)
            {
                writer.Write7BitEncodedInt(_postingDocs[p] - previous);
                writer.Write(_postingFrequencies[p]);
                previous = _postingDocs[p];
            }
        }

        // Format 2: the chunk vectors (dimensions, then per chunk its float32 scale and int8 values).
        writer.Write7BitEncodedInt(Dimensions);
        for (var d = 0; d < _chunks.Length && Dimensions > 0; d++)
        {
            writer.Write(_vectorScales[d]);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_vectors.AsSpan(d * Dimensions, Dimensions)));
        }

        writer.Write(Format.Magic);
    }

    /// <summary>Reads an index written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not an index of a format version this code reads.</exception>
    public static Bm25Index ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            return ReadFrom(buffer.AsSpan((int)memory.Position));
        }

        using var copy = stream.CanSeek ? new MemoryStream((int)Math.Max(0, stream.Length - stream.Position)) : new MemoryStream();
        stream.CopyTo(copy);
        return ReadFrom(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>
    /// Reads an index from bytes. Format version 2 (version 1 is the same without the vectors section), all integers 7-bit encoded unless noted, strings as a 7-bit byte
    /// length and UTF-8: magic <c>CXBM</c>, version byte, K1 and B (float64), title and heading weights; the shared
    /// strings (source ids, titles, URLs); the chunk count and total text bytes; each chunk (id, shared-string numbers of
    /// source, title and URL + 1 or 0, heading flag byte and heading, text, weighted length); the term count and total postings; each term (text,
    /// document frequency, then per posting the document-number gap and a weighted frequency byte); the vector dimensions
    /// (0: none) and per chunk a float32 scale and that many int8 values; magic again.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not an index of a format version this code reads.</exception>
    public static Bm25Index ReadFrom(ReadOnlySpan<byte> data)
    {
        var reader = new SpanReader(data);
        if (!reader.ReadBytes(4).SequenceEqual(Format.Magic))
        {
            throw new InvalidDataException("Not a retrieval index (bad magic).");
        }

        var version = reader.ReadByte();
        if (version is not (Format.Version or Format.VersionWithoutVectors))
        {
            throw new InvalidDataException($"Retrieval index format version {version} is not supported (expected {Format.Version}).");
        }

        var parameters = new Bm25Parameters(reader.ReadDouble(), reader.ReadDouble(), reader.ReadCount(), reader.ReadCount());

        var shared = new string[reader.ReadCount()];
        for (var i = 0; i < shared.Length; i++)
        {
            shared[i] = reader.ReadString();
        }

        var chunks = new IndexedChunk[reader.ReadCount()];
        var lengths = new int[chunks.Length];
        var texts = new byte[reader.ReadCount()];
        var textStarts = new int[chunks.Length + 1];
        for (var d = 0; d < chunks.Length; d++)
        {
            var id = reader.ReadString();
            var source = shared[reader.ReadIndex(shared.Length)];
            var title = shared[reader.ReadIndex(shared.Length)];
            var url = reader.ReadIndex(shared.Length + 1) is var u and > 0 ? shared[u - 1] : null;
            var heading = reader.ReadByte() != 0 ? reader.ReadString() : null;
            var text = reader.ReadBytes(reader.ReadCount());
            if (text.Length > texts.Length - textStarts[d] || !System.Text.Unicode.Utf8.IsValid(text))
            {
                throw new InvalidDataException("Retrieval index chunk text is corrupt.");
            }

            text.CopyTo(texts.AsSpan(textStarts[d]));
            textStarts[d + 1] = textStarts[d] + text.Length;
            lengths[d] = reader.ReadCount();
            chunks[d] = new IndexedChunk(id, source, title, url, heading, "");
        }

        if (textStarts[^1] != texts.Length)
        {
            throw new InvalidDataException("Retrieval index chunk text is corrupt.");
        }

        var terms = new string[reader.ReadCount()];
        var total = reader.ReadCount();
        var starts = new int[terms.Length + 1];
        var docs = new int[total];
        var tfs = new byte[total];
        var p = 0;
        for (var t = 0; t < terms.Length; t++)
        {
            terms[t] = reader.ReadString();
            starts[t] = p;
            var df = reader.ReadCount();
            if (df > total - p)
            {
                throw new InvalidDataException("Retrieval index postings are corrupt.");
            }

            var doc = -1;
            for (var i = 0; i < df; i++, p++)
            {
                doc += reader.ReadCount();
                if ((uint)doc >= (uint)chunks.Length)
                {
                    throw new InvalidDataException("Retrieval index postings are corrupt.");
                }

                docs[p] = doc;
                tfs[p] = reader.ReadByte();
            }
        }

        starts[terms.Length] = p;
        if (p != total)
        {
            throw new InvalidDataException("Retrieval index postings are corrupt.");
        }

        // A format-1 index (published before vectors) has none: it still answers, lexically, until the next ingest.
        var dimensions = version == Format.VersionWithoutVectors ? 0 : reader.ReadCount();
        if (dimensions > 4096)
        {
            throw new InvalidDataException("Retrieval index vectors are corrupt.");
        }

        var vectors = new sbyte[dimensions == 0 ? 0 : checked(chunks.Length * dimensions)];
        var scales = new float[dimensions == 0 ? 0 : chunks.Length];
        for (var d = 0; d < scales.Length; d++)
        {
            scales[d] = reader.ReadSingle();
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(reader.ReadBytes(dimensions)).CopyTo(vectors.AsSpan(d * dimensions));
        }

        if (!reader.ReadBytes(4).SequenceEqual(Format.Magic))
        {
            throw new InvalidDataException("Retrieval index is truncated or corrupt.");
        }

        return new Bm25Index(parameters, chunks, texts, textStarts, lengths, terms, starts, docs, tfs, dimensions, vectors, scales);
    }

    /// <summary>This index with each chunk's answer-unit vectors set (the index blob stores them beside this format).</summary>
    internal Bm25Index WithSentences(IReadOnlyList<SentenceVectors?> sentences)
    {
        var heads = new IndexedChunk[_chunks.Length];
        for (var d = 0; d < heads.Length; d++)
        {
            heads[d] = _chunks[d] with { Sentences = sentences[d] };
        }

        return new Bm25Index(Parameters, heads, _texts, _textStarts, _lengths, _terms, _postingStarts, _postingDocs, _postingFrequencies, Dimensions, _vectors, _vectorScales);
    }

    private IndexedChunk ChunkAt(int d) =>
        _chunks[d] with { Text = Utf8.GetString(_texts, _textStarts[d], _textStarts[d + 1] - _textStarts[d]) };

    private static class Format
    {
        public const byte Version = 2;

        /// <summary>The first format, without chunk vectors; still read.</summary>
        public const byte VersionWithoutVectors = 1;

        public static ReadOnlySpan<byte> Magic => "CXBM"u8;
    }

    private sealed class ChunkList(Bm25Index owner) : IReadOnlyList<IndexedChunk>
    {
        public int Count => owner._chunks.Length;

        public IndexedChunk this[int index] => owner.ChunkAt(index);

        public IEnumerator<IndexedChunk> GetEnumerator()
        {
            for (var d = 0; d < owner._chunks.Length; d++)
            {
                yield return owner.ChunkAt(d);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class PostingBuilder
    {
        private int[] _docs = new int[4];
        private byte[] _frequencies = new byte[4];

        public int Count { get; private set; }

        public void Add(int doc, byte frequency)
        {
            if (Count == _docs.Length)
            {
                Array.Resize(ref _docs, Count * 2);
                Array.Resize(ref _frequencies, Count * 2);
            }

            _docs[Count] = doc;
            _frequencies[Count] = frequency;
            Count++;
        }

        public void CopyTo(Span<int> docs, Span<byte> frequencies)
        {
            _docs.AsSpan(0, Count).CopyTo(docs);
            _frequencies.AsSpan(0, Count).CopyTo(frequencies);
        }
    }

    /// <summary>A min-heap of the best k (score, doc) pairs; a lower score, then a later doc, is worse.</summary>
    private sealed class TopK(int capacity)
    {
        private readonly int[] _docs = new int[capacity];
        private readonly float[] _scores = new float[capacity];
        private int _count;

        public void Offer(int doc, float score)
        {
            if (_count < _docs.Length)
            {
                _docs[_count] = doc;
                _scores[_count] = score;
                SiftUp(_count++);
            }
            else if (_count > 0 && Worse(_docs[0], _scores[0], doc, score))
            {
                _docs[0] = doc;
                _scores[0] = score;
                SiftDown(0);
            }
        }

        public List<(int Doc, float Score)> ToSortedList()
        {
            var list = new List<(int Doc, float Score)>(_count);
            for (var i = 0; i < _count; i++)
            {
                list.Add((_docs[i], _scores[i]));
            }

            list.Sort(static (x, y) => x.Score != y.Score ? y.Score.CompareTo(x.Score) : x.Doc.CompareTo(y.Doc));
            return list;
        }

        /// <summary>True when (doc a, score a) ranks below (doc b, score b).</summary>
        private static bool Worse(int a, float scoreA, int b, float scoreB) => scoreA < scoreB || (scoreA == scoreB && a > b);

        private void SiftUp(int i)
        {
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (!Worse(_docs[i], _scores[i], _docs[parent], _scores[parent]))
                {
                    return;
                }

                Swap(i, parent);
                i = parent;
            }
        }

        private void SiftDown(int i)
        {
            while (true)
            {
                var left = (2 * i) + 1;
                var worst = i;
                if (left < _count && Worse(_docs[left], _scores[left], _docs[worst], _scores[worst]))
                {
                    worst = left;
                }

                if (left + 1 < _count && Worse(_docs[left + 1], _scores[left + 1], _docs[worst], _scores[worst]))
                {
                    worst = left + 1;
                }

                if (worst == i)
                {
                    return;
                }

                Swap(i, worst);
                i = worst;
            }
        }

        private void Swap(int a, int b)
        {
            (_docs[a], _docs[b]) = (_docs[b], _docs[a]);
            (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private static readonly UTF8Encoding Utf8 = new(false, true);
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            if (count > _data.Length - _position)
            {
                throw new InvalidDataException("Retrieval index is truncated.");
            }

            var bytes = _data.Slice(_position, count);
            _position += count;
            return bytes;
        }

        public byte ReadByte() => ReadBytes(1)[0];

        public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(ReadBytes(8));

        public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(ReadBytes(4));

        /// <summary>A 7-bit encoded non-negative int, as <see cref="BinaryWriter.Write7BitEncodedInt"/> writes it.</summary>
        public int ReadCount()
        {
            uint result = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = ReadByte();
                result |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result <= int.MaxValue ? (int)result : throw new InvalidDataException("Retrieval index holds a bad count.");
                }
            }

            throw new InvalidDataException("Retrieval index holds a bad count.");
        }

        public int ReadIndex(int limit)
        {
            var value = ReadCount();
            return value < limit ? value : throw new InvalidDataException("Retrieval index holds a bad reference.");
        }

        public string ReadString()
        {
            try
            {
                return Utf8.GetString(ReadBytes(ReadCount()));
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException("Retrieval index holds invalid UTF-8.", e);
            }
        }
    }
}
