using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Exceptions;

namespace Comx.Core.Knowledge.Content;

/// <summary>
/// Text of a PDF with PdfPig, page by page. Words are grouped into lines by baseline and lines into paragraphs by the
/// vertical gap between them. Lines set clearly larger than the body text (the most common size) are headings, their
/// level ranked by size. Running headers and footers (the same line at the top or bottom of most pages) and page
/// numbers are dropped. The title comes from the document information, unless that is empty or a file name, then
/// from the first top-level heading, then from the first line.
/// </summary>
internal static partial class PdfExtraction
{
    private const double HeadingRatio = 1.2;

    public static ExtractionResult Extract(byte[] bytes)
    {
        try
        {
            using var pdf = PdfDocument.Open(bytes, new ParsingOptions { UseLenientParsing = true });
            var pages = pdf.GetPages().Select(ReadLines).ToList();
            return Build(pdf.Information.Title, pages);
        }
        catch (PdfDocumentEncryptedException)
        {
            return ExtractionResult.Fail(ExtractionErrorKind.Unreadable, "The PDF is password-protected.");
        }
#pragma warning disable CA1031 // A parser of untrusted files fails in many ways; each is "this PDF cannot be read".
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
#pragma warning restore CA1031
        {
            return ExtractionResult.Fail(ExtractionErrorKind.Unreadable, "The PDF could not be read; it may be damaged.");
        }
    }

    private sealed record Line(string Text, double Size, double Baseline);

    private static List<Line> ReadLines(Page page)
    {
        var lines = new List<Line>();
        var words = new List<Word>();
        double baseline = 0, size = 0;
        foreach (var word in page.GetWords())
        {
            if (string.IsNullOrWhiteSpace(word.Text) || word.Letters.Count == 0)
            {
                continue;
            }

            var wordBaseline = word.Letters[0].StartBaseLine.Y;
            var wordSize = word.Letters.Max(l => l.PointSize);
            if (words.Count > 0 && Math.Abs(wordBaseline - baseline) > 0.5 * Math.Max(wordSize, size))
            {
                lines.Add(ToLine(words, baseline));
                words.Clear();
            }

            if (words.Count == 0)
            {
                baseline = wordBaseline;
                size = wordSize;
            }

            words.Add(word);
            size = Math.Max(size, wordSize);
        }

        if (words.Count > 0)
        {
            lines.Add(ToLine(words, baseline));
        }

        return lines;
    }

    private static Line ToLine(List<Word> words, double baseline)
    {
        var sizes = words.SelectMany(w => w.Letters).Select(l => l.PointSize).Order().ToList();
        return new Line(Whitespace.Clean(string.Join(' ', words.Select(w => w.Text))), Math.Round(sizes[sizes.Count / 2] * 2) / 2, baseline);
    }

    private static ExtractionResult Build(string? metadataTitle, List<List<Line>> pages)
    {
        DropRunningLines(pages);
        var all = pages.SelectMany(p => p).Where(l => l.Text.Length > 0).ToList();
        if (all.Count == 0)
        {
            return ExtractionResult.Fail(ExtractionErrorKind.NoText, "The PDF has no extractable text (it may be scanned images).");
        }

        var bodySize = all.GroupBy(l => l.Size).MaxBy(g => g.Sum(l => l.Text.Length))!.Key;
        var headingSizes = all.Where(l => IsHeadingCandidate(l, bodySize)).Select(l => l.Size).Distinct().OrderDescending().ToList();

        var builder = new SectionBuilder();
        var body = new StringBuilder();
        var paragraph = new StringBuilder();
        foreach (var page in pages)
        {
            Line? previous = null;
            var previousWasHeading = false;
            var heading = new StringBuilder();
            var headingLevel = 0;
            foreach (var line in page.Where(l => l.Text.Length > 0))
            {
                var gap = previous is null ? 0 : Math.Abs(previous.Baseline - line.Baseline);
                if (IsHeadingCandidate(line, bodySize))
                {
                    var level = Math.Min(6, headingSizes.IndexOf(line.Size) + 1);
                    if (previousWasHeading && level == headingLevel && gap <= 2 * line.Size)
                    {
                        heading.Append(' ').Append(line.Text);
                    }
                    else
                    {
                        EmitHeading(builder, heading, headingLevel);
                        EndParagraph(body, paragraph);
                        builder.Body(body.ToString());
                        body.Clear();
                        heading.Append(line.Text);
                        headingLevel = level;
                    }

                    previousWasHeading = true;
                    previous = line;
                    continue;
                }

                EmitHeading(builder, heading, headingLevel);
                var continues = previous is not null && !previousWasHeading && gap <= 1.5 * Math.Max(line.Size, previous.Size);
                // A paragraph broken by a page break continues when the next page starts mid-sentence.
                var continuesAcrossPages = previous is null && paragraph.Length > 0 && char.IsLower(line.Text[0])
                    && !EndsSentence(paragraph);
                if (!continues && !continuesAcrossPages)
                {
                    EndParagraph(body, paragraph);
                }

                AppendLine(paragraph, line.Text);
                previousWasHeading = false;
                previous = line;
            }

            EmitHeading(builder, heading, headingLevel);
        }

        EndParagraph(body, paragraph);
        builder.Body(body.ToString());
        var sections = builder.Build();
        var title = UsableTitle(metadataTitle) ?? builder.TopHeading ?? all[0].Text;
        return ExtractionResult.From(title, sections, "The PDF has no extractable text (it may be scanned images).");
    }

    private static bool IsHeadingCandidate(Line line, double bodySize) =>
        line.Size >= bodySize * HeadingRatio && line.Text.Length <= 150 && line.Text.Any(char.IsLetter);

    private static void EmitHeading(SectionBuilder builder, StringBuilder heading, int level)
    {
        if (heading.Length > 0)
        {
            builder.Heading(level, heading.ToString());
            heading.Clear();
        }
    }

    private static void EndParagraph(StringBuilder body, StringBuilder paragraph)
    {
        if (paragraph.Length == 0)
        {
            return;
        }

        if (body.Length > 0)
        {
            body.Append("\n\n");
        }

        body.Append(paragraph);
        paragraph.Clear();
    }

    private static void AppendLine(StringBuilder paragraph, string line)
    {
        if (paragraph.Length == 0)
        {
            paragraph.Append(line);
        }
        else if (paragraph.Length > 1 && paragraph[^1] == '-' && char.IsLetter(paragraph[^2]) && char.IsLower(line[0]))
        {
            // "infor-" + "mation": a word hyphenated at the line end.
            paragraph.Length--;
            paragraph.Append(line);
        }
        else
        {
            paragraph.Append(' ').Append(line);
        }
    }

    private static bool EndsSentence(StringBuilder text) => text.Length > 0 && text[^1] is '.' or '!' or '?' or ':' or ';';

    /// <summary>Drops page numbers and lines repeated at the top or bottom of most pages (running heads and feet).</summary>
    private static void DropRunningLines(List<List<Line>> pages)
    {
        foreach (var page in pages)
        {
            page.RemoveAll(l => PageNumber().IsMatch(l.Text) && (l == page[0] || l == page[^1]));
        }

        if (pages.Count < 3)
        {
            return;
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var page in pages)
        {
            foreach (var key in EdgeLines(page).Select(Key).Distinct())
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var threshold = Math.Max(3, (pages.Count + 1) / 2);
        var running = counts.Where(c => c.Value >= threshold).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        if (running.Count == 0)
        {
            return;
        }

        foreach (var page in pages)
        {
            var edges = EdgeLines(page).ToHashSet();
            page.RemoveAll(l => edges.Contains(l) && running.Contains(Key(l)));
        }
    }

    private static IEnumerable<Line> EdgeLines(List<Line> page) =>
        page.Count <= 4 ? page : page.Take(2).Concat(page.TakeLast(2));

    private static string Key(Line line) => Digits().Replace(line.Text.ToLowerInvariant(), "#");

    private static string? UsableTitle(string? title)
    {
        var cleaned = Whitespace.Clean(title ?? "");
        if (cleaned.StartsWith("Microsoft Word - ", StringComparison.OrdinalIgnoreCase))
        {
            cleaned = cleaned["Microsoft Word - ".Length..];
        }

        return cleaned.Length == 0 || FileName().IsMatch(cleaned) || cleaned.Equals("untitled", StringComparison.OrdinalIgnoreCase)
            ? null
            : cleaned;
    }

    [GeneratedRegex(@"^\s*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PageNumber();

    [GeneratedRegex(@"\d+", RegexOptions.CultureInvariant)]
    private static partial Regex Digits();

    [GeneratedRegex(@"\.(docx?|pdf|pptx?|xlsx?|indd|rtf|odt|pages|txt|tex|qxd)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
