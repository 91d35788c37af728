using System.Text.RegularExpressions;

namespace Comx.Core.Accessibility;

/// <summary>
/// Rewords an answer for a learner's <see cref="ReadingLevel"/>, deterministically (no model involved).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>standard</c>: the text unchanged.</item>
/// <item><c>simplified</c>: plainer words ("approximately" → "about", "purchase" → "buy"), sentences over 20 words split
/// at a clause ("; ", ", and ", ", but ", ", so "…), then at most three sentences, joined as one paragraph.</item>
/// <item><c>easy_read</c>: the same plain words, every sentence split at every clause break (one idea per line), at
/// most five lines, each starting with "• ".</item>
/// </list>
/// Nothing is reworded inside a number, a URL or an email address, and the whole first sentence is always kept, even
/// when splitting it gives more pieces than the limit: it carries the answer's key facts (numbers, dates, times).
/// Later sentences are what gets dropped.
/// </remarks>
public static partial class ReadingLevelSimplifier
{
    public const int SimplifiedMaxSentences = 3;
    public const int SimplifiedMaxWords = 20;
    public const int EasyReadMaxLines = 5;
    public const string EasyReadBullet = "• ";

    /// <summary>Each is replaced as a whole word or phrase, whatever its case; a capital first letter is kept.</summary>
    private static readonly Dictionary<string, string> PlainWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["approximately"] = "about", ["commence"] = "start", ["commences"] = "starts", ["commenced"] = "started",
        ["commencing"] = "starting", ["commencement"] = "start", ["purchase"] = "buy", ["purchases"] = "buys",
        ["purchased"] = "bought", ["purchasing"] = "buying", ["utilise"] = "use", ["utilize"] = "use",
        ["utilises"] = "uses", ["utilizes"] = "uses", ["utilised"] = "used", ["utilized"] = "used",
        ["assistance"] = "help", ["additional"] = "more", ["additionally"] = "also", ["require"] = "need",
        ["requires"] = "needs", ["required"] = "needed", ["obtain"] = "get", ["obtains"] = "gets",
        ["obtained"] = "got", ["sufficient"] = "enough", ["prior to"] = "before", ["in order to"] = "to",
        ["regarding"] = "about", ["with regard to"] = "about", ["subsequently"] = "later", ["terminate"] = "end",
        ["terminated"] = "ended", ["facilitate"] = "help", ["demonstrate"] = "show", ["demonstrates"] = "shows",
        ["endeavour"] = "try", ["attempt"] = "try", ["numerous"] = "many", ["individuals"] = "people",
        ["inform"] = "tell", ["informed"] = "told", ["enquire"] = "ask", ["modify"] = "change",
        ["modifications"] = "changes", ["permitted"] = "allowed", ["prohibited"] = "not allowed",
        ["in the event that"] = "if", ["due to the fact that"] = "because", ["at this point in time"] = "now",
        ["a number of"] = "some", ["in addition"] = "also", ["ensure"] = "make sure", ["ensures"] = "makes sure",
        ["indicate"] = "show", ["indicates"] = "shows", ["beneficial"] = "helpful", ["initial"] = "first",
        ["initially"] = "at first", ["participate"] = "take part", ["participating"] = "taking part",
        ["remuneration"] = "pay", ["residence"] = "home", ["expenditure"] = "spending", ["frequently"] = "often",
        ["immediately"] = "straight away", ["therefore"] = "so", ["consequently"] = "so",
    };

    private static readonly Regex PlainWordPattern = new(
        @"\b(?:" + string.Join("|", PlainWords.Keys.OrderByDescending(key => key.Length).Select(Regex.Escape)) + @")\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "no", "vs", "eg", "ie", "approx", "dept", "tel", "ext",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    };

    public static string Simplify(string text, ReadingLevel level)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (level == ReadingLevel.Standard || string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        var easyRead = level == ReadingLevel.EasyRead;
        var maxWords = easyRead ? 0 : SimplifiedMaxWords;
        var maxPieces = easyRead ? EasyReadMaxLines : SimplifiedMaxSentences;

        var kept = new List<string>();
        var sentences = Sentences(Plain(text));
        for (var s = 0; s < sentences.Count && kept.Count < maxPieces; s++)
        {
            var pieces = SplitLong(sentences[s], maxWords);
            kept.AddRange(s == 0 ? pieces : pieces.Take(maxPieces - kept.Count));
        }

        return easyRead ? string.Join("\n", kept.Select(line => EasyReadBullet + line)) : string.Join(" ", kept);
    }

    private static string Plain(string text) => PlainWordPattern.Replace(text, match =>
    {
        // Leave URLs, emails and paths alone: "example.org/purchase" must still work.
        var start = match.Index;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]))
        {
            start--;
        }

        var end = match.Index + match.Length;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        var word = text[start..end];
        if (word.Contains('/', StringComparison.Ordinal) || word.Contains('@', StringComparison.Ordinal)
            || word.Contains("www.", StringComparison.OrdinalIgnoreCase))
        {
            return match.Value;
        }

        var plain = PlainWords[match.Value];
        return char.IsUpper(match.Value[0]) ? char.ToUpperInvariant(plain[0]) + plain[1..] : plain;
    });

    /// <summary>Sentences in order: each line is split at sentence ends; list markers go; each starts with a capital and ends with punctuation.</summary>
    private static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = ListMarker().Replace(rawLine.Trim(), "");
            var start = 0;
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] is not ('.' or '!' or '?'))
                {
                    continue;
                }

                var end = i + 1;
                while (end < line.Length && line[end] is '.' or '!' or '?' or '"' or '\'' or ')' or ']' or '”' or '’')
                {
                    end++;
                }

                if (end == line.Length || (char.IsWhiteSpace(line[end]) && StartsSentence(line, end) && !Abbreviation(line, i)))
                {
                    AddSentence(sentences, line[start..end]);
                    start = end;
                    i = end - 1;
                }
            }

            AddSentence(sentences, line[start..]);
        }

        return sentences;
    }

    private static bool StartsSentence(string line, int at)
    {
        while (at < line.Length && char.IsWhiteSpace(line[at]))
        {
            at++;
        }

        return at < line.Length && (char.IsUpper(line[at]) || char.IsDigit(line[at]) || line[at] is '"' or '(' or '[' or '“' or '‘' or '£' or '$' or '€');
    }

    /// <summary>A full stop after "Dr", "e.g", "Sept" or an initial ("J. Smith") does not end the sentence.</summary>
    private static bool Abbreviation(string line, int dot)
    {
        if (line[dot] != '.')
        {
            return false;
        }

        var start = dot;
        while (start > 0 && (char.IsLetter(line[start - 1]) || line[start - 1] == '.'))
        {
            start--;
        }

        var word = line[start..dot].Replace(".", "", StringComparison.Ordinal);
        return (word.Length == 1 && char.IsUpper(word[0])) || Abbreviations.Contains(word);
    }

    private static void AddSentence(List<string> sentences, string sentence)
    {
        sentence = sentence.Trim();
        if (sentence.Length == 0)
        {
            return;
        }

        var last = sentence.TrimEnd('"', '\'', ')', ']', '”', '’') is { Length: > 0 } core ? core[^1] : '.';
        sentences.Add(Capitalise(sentence) + (last is '.' or '!' or '?' or ':' or ';' ? "" : "."));
    }

    /// <summary>
    /// Splits a sentence of more than <paramref name="maxWords"/> words at the clause break nearest its middle, and
    /// again while a piece is still too long. Pieces have three words at least and keep every word but a joining "and".
    /// </summary>
    private static List<string> SplitLong(string sentence, int maxWords)
    {
        var words = WordCount(sentence);
        if (words <= maxWords)
        {
            return [sentence];
        }

        Match? best = null;
        var bestDistance = int.MaxValue;
        foreach (Match match in ClauseBreak().Matches(sentence))
        {
            var left = WordCount(sentence[..match.Index]);
            var right = words - left - (match.Groups["joiner"].Success ? 1 : 0);
            if (left >= 3 && right >= 3 && Math.Abs(left - words / 2) < bestDistance)
            {
                best = match;
                bestDistance = Math.Abs(left - words / 2);
            }
        }

        if (best is null)
        {
            return [sentence];
        }

        var head = sentence[..best.Index].TrimEnd() + ".";
        var tail = sentence[(best.Index + best.Length)..].TrimStart();
        var joiner = best.Groups["joiner"].Value.ToLowerInvariant();
        tail = joiner is "" or "and" ? Capitalise(tail) : Capitalise(joiner) + " " + tail;
        return [.. SplitLong(head, maxWords), .. SplitLong(tail, maxWords)];
    }

    private static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Capitalise(string text) =>
        text.Length > 0 && char.IsLower(text[0]) ? char.ToUpperInvariant(text[0]) + text[1..] : text;

    [GeneratedRegex(@"^(?:[-*•]|\d{1,2}[.)])\s+")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@";\s+|,\s+(?<joiner>and|but|so|or|then)\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClauseBreak();
}
