using System.Text.RegularExpressions;

namespace Comx.Core.Knowledge.Content;

/// <summary>
/// Plain text: one section without a heading, paragraphs at blank lines, line breaks inside a paragraph kept. A short
/// first line standing alone (a title line) becomes the title.
/// </summary>
internal static partial class PlainTextExtraction
{
    public static ExtractionResult Extract(string text)
    {
        var normalised = Whitespace.NormaliseNewlines(text);
        var builder = new SectionBuilder();
        builder.Body(BlankLines().Replace(normalised, "\n\n"));
        var sections = builder.Build();

        string? title = null;
        if (sections.Count > 0 && sections[0].Text.Split("\n\n") is [var first, _, ..] && !first.Contains('\n', StringComparison.Ordinal)
            && first.Length <= 100 && !first.EndsWith('.'))
        {
            title = first;
        }

        return ExtractionResult.From(title, sections, "The text is empty.");
    }

    [GeneratedRegex(@"\n[ \t\f\v]*\n\s*")]
    private static partial Regex BlankLines();
}
