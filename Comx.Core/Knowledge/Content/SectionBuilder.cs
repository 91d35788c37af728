using System.Text;

namespace Comx.Core.Knowledge.Content;

/// <summary>Collects headings and paragraphs in reading order and cuts them into <see cref="Section"/>s with heading paths.</summary>
internal sealed class SectionBuilder
{
    public const int MaxHeadingLength = 200;

    private readonly List<Section> _sections = [];
    private readonly List<(int Level, string Text)> _headings = [];
    private readonly List<string> _paragraphs = [];

    /// <summary>The first heading seen, at the highest level (lowest number).</summary>
    public string? TopHeading { get; private set; }

    private int _topLevel = int.MaxValue;

    /// <summary>Starts a new section under a heading of level 1 (outermost) to 6.</summary>
    public void Heading(int level, string text)
    {
        var heading = Whitespace.Clean(text);
        if (heading.Length == 0)
        {
            return;
        }

        if (heading.Length > MaxHeadingLength)
        {
            heading = heading[..(MaxHeadingLength - 1)].TrimEnd() + "…";
        }

        Flush();
        while (_headings.Count > 0 && _headings[^1].Level >= level)
        {
            _headings.RemoveAt(_headings.Count - 1);
        }

        _headings.Add((level, heading));
        if (level < _topLevel)
        {
            _topLevel = level;
            TopHeading = heading;
        }
    }

    /// <summary>Adds body text; blank-line separated blocks become paragraphs.</summary>
    public void Body(string text)
    {
        foreach (var block in text.Split("\n\n"))
        {
            var paragraph = Whitespace.CleanBlock(block);
            if (paragraph.Length > 0)
            {
                _paragraphs.Add(paragraph);
            }
        }
    }

    public IReadOnlyList<Section> Build()
    {
        Flush();
        return _sections;
    }

    private void Flush()
    {
        if (_paragraphs.Count == 0)
        {
            return;
        }

        var path = _headings.Select(h => h.Text).ToArray();
        _sections.Add(new Section(path.Length > 0 ? path[^1] : null, string.Join("\n\n", _paragraphs)) { HeadingPath = path });
        _paragraphs.Clear();
    }
}

/// <summary>Whitespace rules shared by every format.</summary>
internal static class Whitespace
{
    /// <summary>One line: every run of whitespace becomes one space; invisible characters go.</summary>
    public static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (IsInvisible(c))
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>A block of lines: each line cleaned, empty lines dropped, line breaks kept.</summary>
    public static string CleanBlock(string block) =>
        string.Join('\n', block.Split('\n').Select(Clean).Where(line => line.Length > 0));

    /// <summary>Zero-width characters, soft hyphens, BOMs and control characters other than whitespace.</summary>
    public static bool IsInvisible(char c) =>
        c is '\u00AD' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' || (char.IsControl(c) && !char.IsWhiteSpace(c));

    /// <summary>CRLF and CR become LF.</summary>
    public static string NormaliseNewlines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
}
