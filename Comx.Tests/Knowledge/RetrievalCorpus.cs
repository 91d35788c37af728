using System.Text;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Tests.Knowledge;

/// <summary>
/// The retrieval fixture corpus (Fixtures/Retrieval): Markdown pages of four organisations, one folder each, chunked
/// the simple way a page is chunked by heading (the text before the first <c>## </c> heading is chunk
/// <c>#intro</c>), and visitor questions each naming the chunk that answers it. Shared with Comx.Benchmarks.
/// </summary>
public sealed class RetrievalCorpus
{
    private RetrievalCorpus(IReadOnlyList<CorpusDocument> documents, IReadOnlyList<CorpusQuestion> questions)
    {
        Documents = documents;
        Questions = questions;
    }

    public IReadOnlyList<CorpusDocument> Documents { get; }

    public IReadOnlyList<CorpusQuestion> Questions { get; }

    public IEnumerable<IndexedChunk> Chunks => Documents.SelectMany(d => d.Chunks);

    public IEnumerable<string> Orgs => Documents.Select(d => d.Org).Distinct();

    public IEnumerable<IndexedChunk> ChunksOf(string org) => Documents.Where(d => d.Org == org).SelectMany(d => d.Chunks);

    public static RetrievalCorpus Load(string? root = null)
    {
        root ??= Path.Combine(AppContext.BaseDirectory, "Fixtures", "Retrieval");
        var documents = Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => ParseDocument(Path.GetFileName(Path.GetDirectoryName(path)!), path))
            .ToList();
        var chunkOrgs = documents.SelectMany(d => d.Chunks.Select(c => (c.ChunkId, d.Org))).ToDictionary(x => x.ChunkId, x => x.Org);

        var questions = new List<CorpusQuestion>();
        foreach (var line in File.ReadLines(Path.Combine(root, "questions.txt")))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var bar = line.IndexOf('|', StringComparison.Ordinal);
            var expected = line[..bar].Trim();
            if (!chunkOrgs.TryGetValue(expected, out var org))
            {
                throw new InvalidDataException($"questions.txt names chunk '{expected}', which no document has.");
            }

            questions.Add(new CorpusQuestion(org, expected, expected[..expected.IndexOf('#', StringComparison.Ordinal)], line[(bar + 1)..].Trim()));
        }

        return new RetrievalCorpus(documents, questions);
    }

    public static string Slug(string heading)
    {
        var builder = new StringBuilder();
        foreach (var c in heading.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (c is not ('\'' or '\u2019') && builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        return builder.ToString().TrimEnd('-');
    }

    private static CorpusDocument ParseDocument(string org, string path)
    {
        var id = Path.GetFileNameWithoutExtension(path);
        var lines = File.ReadAllLines(path);
        if (lines.Length < 3 || lines[0] != "---")
        {
            throw new InvalidDataException($"{path} has no front matter.");
        }

        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 1;
        for (; lines[i] != "---"; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            meta[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }

        var title = meta["title"];
        var url = meta["url"];
        var chunks = new List<IndexedChunk>();
        string? heading = null;
        var text = new StringBuilder();
        void Flush()
        {
            if (text.Length > 0)
            {
                var slug = heading is null ? "intro" : Slug(heading);
                chunks.Add(new IndexedChunk($"{id}#{slug}", id, title, heading is null ? url : $"{url}#{slug}", heading, text.ToString().Trim()));
            }

            text.Clear();
        }

        for (i++; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                heading = lines[i][3..].Trim();
            }
            else
            {
                text.AppendLine(lines[i]);
            }
        }

        Flush();
        return new CorpusDocument(org, id, title, chunks);
    }
}

public sealed record CorpusDocument(string Org, string Id, string Title, IReadOnlyList<IndexedChunk> Chunks);

public sealed record CorpusQuestion(string Org, string ExpectedChunkId, string ExpectedDocumentId, string Question);
