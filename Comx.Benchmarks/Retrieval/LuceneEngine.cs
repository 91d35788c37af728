using Comx.Core.Knowledge.Retrieval;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Comx.Benchmarks.Retrieval;

/// <summary>
/// The same chunks in Lucene.Net 4.8: EnglishAnalyzer's chain (standard tokenizer, possessive filter, lowercase,
/// Lucene's English stop set, Porter) plus ASCII folding so accents match as ours do; BM25Similarity with our k1 and
/// b; title, heading and text as separate fields, queried as one BooleanQuery of SHOULD term clauses boosted by our
/// field weights; stored fields for the chunk. Indexed into a RAMDirectory and force-merged to one segment.
/// Optionally with our stop words instead of Lucene's (33 words), to separate analysis from scoring.
/// </summary>
internal sealed class LuceneEngine : IDisposable
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private static readonly string[] Fields = ["title", "heading", "text"];

    private readonly Analyzer _analyzer;
    private readonly BM25Similarity _similarity;
    private readonly float[] _boosts;
    private DirectoryReader? _reader;
    private IndexSearcher? _searcher;

    public LuceneEngine(Bm25Parameters parameters, bool ourStopWords)
    {
        _analyzer = new FoldingEnglishAnalyzer(ourStopWords
            ? new CharArraySet(Version, TextAnalyzer.StopWords.ToList(), ignoreCase: false)
            : EnglishAnalyzer.DefaultStopSet);
        _similarity = new BM25Similarity((float)parameters.K1, (float)parameters.B);
        _boosts = [parameters.TitleWeight, parameters.HeadingWeight, 1f];
    }

    /// <summary>Indexes the chunks and returns the index files' bytes (what "load" starts from).</summary>
    public Dictionary<string, byte[]> Build(IReadOnlyList<IndexedChunk> chunks)
    {
        using var directory = new RAMDirectory();
        var config = new IndexWriterConfig(Version, _analyzer) { Similarity = _similarity, OpenMode = OpenMode.CREATE, RAMBufferSizeMB = 256 };
        using (var writer = new IndexWriter(directory, config))
        {
            foreach (var chunk in chunks)
            {
                var document = new Document
                {
                    new StringField("id", chunk.ChunkId, Field.Store.YES),
                    new StringField("source", chunk.SourceId, Field.Store.YES),
                    new TextField("title", chunk.Title, Field.Store.YES),
                    new TextField("text", chunk.Text, Field.Store.YES),
                };
                if (chunk.Heading is not null)
                {
                    document.Add(new TextField("heading", chunk.Heading, Field.Store.YES));
                }

                if (chunk.Url is not null)
                {
                    document.Add(new StoredField("url", chunk.Url));
                }

                writer.AddDocument(document);
            }

            writer.ForceMerge(1);
            writer.Commit();
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in directory.ListAll().Where(n => n != "write.lock"))
        {
            using var input = directory.OpenInput(name, IOContext.READ_ONCE);
            var bytes = new byte[input.Length];
            input.ReadBytes(bytes, 0, bytes.Length);
            files[name] = bytes;
        }

        return files;
    }

    /// <summary>Loads an index from its files' bytes into a RAMDirectory and opens a searcher over it.</summary>
    public void Load(Dictionary<string, byte[]> files)
    {
        _reader?.Dispose();
        var directory = new RAMDirectory();
        foreach (var (name, bytes) in files)
        {
            using var output = directory.CreateOutput(name, IOContext.DEFAULT);
            output.WriteBytes(bytes, 0, bytes.Length);
        }

        _reader = DirectoryReader.Open(directory);
        _searcher = new IndexSearcher(_reader) { Similarity = _similarity };
    }

    public void Unload()
    {
        _reader?.Dispose();
        _reader = null;
        _searcher = null;
    }

    /// <summary>The top chunk ids, loading each hit's stored fields as a caller would to answer.</summary>
    public List<string> Search(string question, int top)
    {
        var query = new BooleanQuery();
        for (var f = 0; f < Fields.Length; f++)
        {
            using var stream = _analyzer.GetTokenStream(Fields[f], new StringReader(question));
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken())
            {
                query.Add(new TermQuery(new Term(Fields[f], term.ToString())) { Boost = _boosts[f] }, Occur.SHOULD);
            }

            stream.End();
        }

        var ids = new List<string>(top);
        if (query.Clauses.Count == 0)
        {
            return ids;
        }

        foreach (var hit in _searcher!.Search(query, top).ScoreDocs)
        {
            var document = _searcher.Doc(hit.Doc);
            _ = document.Get("text");
            ids.Add(document.Get("id"));
        }

        return ids;
    }

    /// <summary>Lucene's Porter stem of a lowercase word (for checking our stemmer against it).</summary>
    public static string Stem(string word)
    {
        using var analyzer = new PorterOnlyAnalyzer();
        using var stream = analyzer.GetTokenStream("f", new StringReader(word));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        var stem = stream.IncrementToken() ? term.ToString() : "";
        stream.End();
        return stem;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _analyzer.Dispose();
    }

    private sealed class FoldingEnglishAnalyzer(CharArraySet stopWords) : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var source = new StandardTokenizer(Version, reader);
            TokenStream result = new StandardFilter(Version, source);
            result = new EnglishPossessiveFilter(Version, result);
            result = new LowerCaseFilter(Version, result);
            result = new ASCIIFoldingFilter(result);
            result = new StopFilter(Version, result, stopWords);
            result = new PorterStemFilter(result);
            return new TokenStreamComponents(source, result);
        }
    }

    private sealed class PorterOnlyAnalyzer : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var source = new KeywordTokenizer(reader);
            return new TokenStreamComponents(source, new PorterStemFilter(source));
        }
    }
}
