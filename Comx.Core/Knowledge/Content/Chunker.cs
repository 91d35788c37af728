using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Comx.Core.Knowledge.Content;

/// <summary>One retrieval unit cut from a document.</summary>
/// <param name="ChunkId"><c>chk_</c> + 24 hex characters, from the source id, ordinal and text: the same input always gives the
/// same id, any change gives a new one. Safe as a Table Storage key.</param>
/// <param name="Ordinal">0-based position in the document.</param>
/// <param name="Heading">The heading path (<c>Admissions › Term dates</c>), or null for text before any heading.</param>
/// <param name="Text">The heading path on the first line (when there is one), a blank line, then the passage.</param>
public sealed record ChunkDraft(string ChunkId, int Ordinal, string? Heading, string Text)
{
    /// <summary>The page a chunk of a site source came from (its citation url); null for single-document sources.</summary>
    public string? PageUrl { get; init; }
}

/// <summary>Size limits for <see cref="Chunker"/>.</summary>
public sealed record ChunkerOptions
{
    public static readonly ChunkerOptions Default = new();

    /// <summary>Largest chunk, heading line included.</summary>
    public int MaxChars { get; init; } = 1200;

    /// <summary>How much of the end of a chunk is repeated at the start of the next one in the same section.</summary>
    public int OverlapChars { get; init; } = 150;
}

/// <summary>
/// Cuts an <see cref="ExtractedDocument"/> into chunks for retrieval. Each chunk stays within one section and starts with
/// that section's heading path, so a passage keeps its context when retrieved alone. A section that fits is one chunk;
/// a longer one is packed greedily from paragraphs, then sentences, then words (a run without spaces is cut hard), up
/// to <see cref="ChunkerOptions.MaxChars"/>, each chunk after the first repeating about
/// <see cref="ChunkerOptions.OverlapChars"/> of the previous one's whole trailing sentences.
/// </summary>
public static partial class Chunker
{
    public const string HeadingSeparator = " › ";

    private const int MaxHeadingChars = 200;

    public static IReadOnlyList<ChunkDraft> Chunk(string sourceId, ExtractedDocument document) =>
        Chunk(sourceId, document, ChunkerOptions.Default);

    public static IReadOnlyList<ChunkDraft> Chunk(string sourceId, ExtractedDocument document, ChunkerOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceId);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxChars < MaxHeadingChars + 100 || options.OverlapChars < 0 || options.OverlapChars > options.MaxChars / 3)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxChars must leave room for a heading; overlap at most a third of it.");
        }

        var chunks = new List<ChunkDraft>();
        foreach (var section in document.Sections)
        {
            var heading = HeadingPath(section);
            var prefix = heading is null ? "" : heading + "\n\n";
            foreach (var passage in Pack(Units(section.Text, options.MaxChars - prefix.Length), options.MaxChars - prefix.Length, options.OverlapChars))
            {
                var text = prefix + passage;
                chunks.Add(new ChunkDraft(ChunkId(sourceId, chunks.Count, text), chunks.Count, heading, text));
            }
        }

        return chunks;
    }

    /// <summary>The id of a chunk: stable for the same source, position and text.</summary>
    public static string ChunkId(string sourceId, int ordinal, string text)
    {
        var input = Encoding.UTF8.GetBytes(string.Join('\n', sourceId, ordinal.ToString(CultureInfo.InvariantCulture), text));
        return "chk_" + Convert.ToHexStringLower(SHA256.HashData(input), 0, 12);
    }

    private static string? HeadingPath(Section section)
    {
        var path = section.HeadingPath.Count > 0 ? section.HeadingPath : section.Heading is null ? [] : [section.Heading];
        if (path.Count == 0)
        {
            return null;
        }

        // Keep the innermost headings when the whole path is too long; the leaf alone is cut if it must be.
        var kept = new List<string>();
        var length = 0;
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var added = path[i].Length + (kept.Count > 0 ? HeadingSeparator.Length : 0);
            if (kept.Count > 0 && length + added > MaxHeadingChars)
            {
                break;
            }

            kept.Insert(0, path[i]);
            length += added;
        }

        var joined = string.Join(HeadingSeparator, kept);
        return joined.Length <= MaxHeadingChars ? joined : joined[..(MaxHeadingChars - 1)].TrimEnd() + "…";
    }

    /// <summary>A piece of text no longer than the budget, and what joins it to the text before it.</summary>
    private readonly record struct Unit(string Text, string Separator);

    private static IEnumerable<Unit> Units(string text, int budget)
    {
        foreach (var paragraph in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (paragraph.Length <= budget)
            {
                yield return new Unit(paragraph, "\n\n");
                continue;
            }

            var separator = "\n\n";
            foreach (var line in paragraph.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                foreach (var sentence in line.Length <= budget ? [line] : Sentences(line))
                {
                    foreach (var piece in sentence.Length <= budget ? [sentence] : Words(sentence, budget))
                    {
                        yield return new Unit(piece, separator);
                        separator = " ";
                    }
                }

                separator = "\n";
            }
        }
    }

    private static IEnumerable<string> Pack(IEnumerable<Unit> units, int budget, int overlap)
    {
        var current = new StringBuilder();
        foreach (var unit in units)
        {
            var separator = current.Length == 0 ? "" : unit.Separator;
            if (current.Length + separator.Length + unit.Text.Length <= budget)
            {
                current.Append(separator).Append(unit.Text);
                continue;
            }

            var done = current.ToString();
            yield return done;
            current.Clear();
            var tail = Tail(done, Math.Min(overlap, budget - unit.Text.Length - unit.Separator.Length));
            if (tail.Length > 0)
            {
                current.Append(tail).Append(unit.Separator);
            }

            current.Append(unit.Text);
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    /// <summary>
    /// The end of a chunk to repeat: whole trailing sentences within <paramref name="limit"/>, else the last words
    /// within it, else nothing.
    /// </summary>
    private static string Tail(string text, int limit)
    {
        if (limit <= 0)
        {
            return "";
        }

        var lastLine = text[(text.LastIndexOf('\n') + 1)..].Trim();
        var sentences = Sentences(lastLine).ToList();
        var tail = "";
        for (var i = sentences.Count - 1; i >= 0; i--)
        {
            var candidate = tail.Length == 0 ? sentences[i] : sentences[i] + " " + tail;
            if (candidate.Length > limit)
            {
                break;
            }

            tail = candidate;
        }

        if (tail.Length > 0 && tail.Length < text.Length)
        {
            return tail;
        }

        if (text.Length <= limit)
        {
            return "";
        }

        var cut = text.IndexOfAny([' ', '\n'], text.Length - limit);
        return cut < 0 ? "" : text[(cut + 1)..].Trim();
    }

    private static IEnumerable<string> Sentences(string paragraph) =>
        SentenceEnd().Split(paragraph).Select(s => s.Trim()).Where(s => s.Length > 0);

    /// <summary>Word-wraps a sentence longer than the budget; a word longer than the budget is cut.</summary>
    private static IEnumerable<string> Words(string sentence, int budget)
    {
        var line = new StringBuilder();
        foreach (var word in sentence.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > 0)
            {
                var room = budget - line.Length - (line.Length > 0 ? 1 : 0);
                if (rest.Length <= room)
                {
                    line.Append(line.Length > 0 ? " " : "").Append(rest);
                    rest = "";
                }
                else if (line.Length > 0)
                {
                    yield return line.ToString();
                    line.Clear();
                }
                else
                {
                    yield return rest[..budget];
                    rest = rest[budget..];
                }
            }
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    // After . ! ? or … (and any closing quotes or brackets), whitespace, then something that can start a sentence.
    [GeneratedRegex(@"(?<=[.!?…][""'”’)\]]*)\s+(?=[\p{Lu}\p{N}""'“‘(\[\-•])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceEnd();
}
