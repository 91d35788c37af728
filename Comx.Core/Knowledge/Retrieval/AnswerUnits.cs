using System.Text.RegularExpressions;
using Comx.Core.Knowledge.Content;

namespace Comx.Core.Knowledge.Retrieval;

/// <summary>
/// What an answer is built from: a sentence, a list item, a sentence introducing a list together with its items
/// ("You will need:" and the kit list, scored and kept as one), or a table row (already as Header: value pairs).
/// </summary>
public enum UnitKind
{
    Sentence,
    ListItem,
    List,
    TableRow,
}

public sealed record AnswerUnit(UnitKind Kind, string Text);

/// <summary>Splits passage text into answer units and joins chosen units back into answer text (api.md's text format).</summary>
public static partial class AnswerUnits
{
    /// <summary>
    /// Units scored per answer, and stored with vectors per chunk (<see cref="SentenceVectors"/>); a chunk is at most
    /// 1,200 characters, which rarely holds more.
    /// </summary>
    public const int MaxUnits = 16;

    /// <summary>The units of a chunk an answer is made from: the first <see cref="MaxUnits"/> of its text.</summary>
    public static IReadOnlyList<AnswerUnit> Of(IndexedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return [.. Split(chunk.Text).Take(MaxUnits)];
    }

    /// <summary>
    /// What is embedded for each unit, at ingest and (for an index stored without unit vectors) when answering: the
    /// chunk's innermost heading gives a short unit its topic ("Spring term: February half term is …").
    /// </summary>
    public static IReadOnlyList<string> EmbeddingInputs(IndexedChunk chunk, IReadOnlyList<AnswerUnit> units)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(units);
        var heading = chunk.Heading?.Split(Chunker.HeadingSeparator)[^1];
        return [.. units.Select(u => heading is null ? u.Text : $"{heading}: {u.Text}")];
    }

    public static IEnumerable<AnswerUnit> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (IsTableRow(line) && i + 1 < lines.Count && IsTableRow(lines[i + 1]))
            {
                var header = Cells(line);
                for (i++; i < lines.Count && IsTableRow(lines[i]); i++)
                {
                    var cells = Cells(lines[i]);
                    if (cells.All(c => c.Trim('-', ':', ' ').Length == 0))
                    {
                        continue; // A Markdown separator row (|---|---|).
                    }

                    var pairs = cells.Select((c, k) => k < header.Count && header[k].Length > 0 && c.Length > 0 ? $"{header[k]}: {c}" : c).Where(p => p.Length > 0);
                    yield return new AnswerUnit(UnitKind.TableRow, string.Join("; ", pairs));
                }

                i--;
                continue;
            }

            if (ListMarker().Match(line) is { Success: true } marker)
            {
                yield return new AnswerUnit(UnitKind.ListItem, "- " + line[marker.Length..].Trim());
                continue;
            }

            var sentences = SentenceBoundary().Split(line).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
            for (var k = 0; k < sentences.Count; k++)
            {
                var isIntro = k == sentences.Count - 1 && sentences[k].EndsWith(':') && i + 1 < lines.Count && ListMarker().IsMatch(lines[i + 1]);
                if (!isIntro)
                {
                    yield return new AnswerUnit(UnitKind.Sentence, sentences[k]);
                    continue;
                }

                var list = new List<string> { sentences[k] };
                for (; i + 1 < lines.Count && ListMarker().Match(lines[i + 1]) is { Success: true } item; i++)
                {
                    list.Add("- " + lines[i + 1][item.Length..].Trim());
                }

                yield return new AnswerUnit(UnitKind.List, string.Join('\n', list));
            }
        }
    }

    /// <summary>Sentences run on as a paragraph; list items and table rows each take a line.</summary>
    public static string Join(IEnumerable<AnswerUnit> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var output = new System.Text.StringBuilder();
        UnitKind? previous = null;
        foreach (var unit in units)
        {
            if (previous is not null)
            {
                output.Append(previous == UnitKind.Sentence && unit.Kind == UnitKind.Sentence ? " " : "\n");
            }

            output.Append(unit.Text);
            previous = unit.Kind;
        }

        return output.ToString();
    }

    private static bool IsTableRow(string line) => line.Contains(" | ", StringComparison.Ordinal) || (line.StartsWith('|') && line.EndsWith('|') && line.Length > 2);

    private static List<string> Cells(string line) => [.. line.Trim('|').Split('|').Select(c => c.Trim())];

    [GeneratedRegex(@"^(?:[-*•]\s+|\d{1,2}[.)]\s+)")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z0-9""'(])")]
    private static partial Regex SentenceBoundary();
}
