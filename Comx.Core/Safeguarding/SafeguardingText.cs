using System.Text;

namespace Comx.Core.Safeguarding;

/// <summary>
/// Turns free text into the canonical form the matcher compares: lowercase tokens of letters and digits separated by
/// single spaces. Visitor messages and policy terms go through the same function, so both sides agree.
/// </summary>
/// <remarks>
/// The build runs with invariant globalization, where <see cref="string.Normalize()"/> does nothing, so accents,
/// fullwidth forms, circled and mathematical letters, ligatures and Cyrillic/Greek look-alikes are folded by hand.
/// </remarks>
internal static class SafeguardingText
{
    /// <summary>Stands for a character that may be an <c>i</c> or an <c>l</c> ("k1ll", "se1f", "k!ll", "ki||").</summary>
    public const char IOrL = 'ı';

    // U+00C0–U+00FF; '\0' is not a letter (× and ÷).
    private const string Latin1 = "aaaaaaaceeeeiiiidnooooo\0ouuuuytsaaaaaaaceeeeiiiidnooooo\0ouuuuyty";

    // U+0100–U+017F in order, one base letter per code point; U+0131 (dotless i) is kept as the i-or-l wildcard.
    private static readonly string LatinExtendedA = string.Concat(
        new string('a', 6), new string('c', 8), new string('d', 4), new string('e', 10), new string('g', 8),
        new string('h', 4), new string('i', 9), IOrL.ToString(), "iijjkkk", new string('l', 10), new string('n', 9),
        new string('o', 8), new string('r', 6), new string('s', 8), new string('t', 6), new string('u', 12), "wwyyy",
        new string('z', 6), "s");

    private static readonly string[] Ligatures = ["ff", "fi", "fl", "ffi", "ffl", "st", "st"];

    private static readonly Dictionary<char, char> LookAlikes = new()
    {
        // Cyrillic
        ['а'] = 'a', ['в'] = 'b', ['е'] = 'e', ['ё'] = 'e', ['з'] = '3', ['і'] = 'i', ['ї'] = 'i', ['ј'] = 'j', ['к'] = 'k',
        ['м'] = 'm', ['н'] = 'h', ['о'] = 'o', ['п'] = 'n', ['р'] = 'p', ['с'] = 'c', ['т'] = 't', ['у'] = 'y', ['х'] = 'x',
        ['ѕ'] = 's', ['ԁ'] = 'd', ['ԛ'] = 'q', ['ԝ'] = 'w', ['һ'] = 'h',
        // Greek
        ['α'] = 'a', ['β'] = 'b', ['ε'] = 'e', ['η'] = 'n', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ο'] = 'o', ['ρ'] = 'p',
        ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['ω'] = 'w', ['ζ'] = 'z', ['μ'] = 'm',
    };

    private static readonly Dictionary<string, string> Contractions = new(StringComparer.Ordinal)
    {
        ["dont"] = "do not", ["doesnt"] = "does not", ["didnt"] = "did not", ["cant"] = "can not", ["cannot"] = "can not",
        ["wont"] = "will not", ["isnt"] = "is not", ["arent"] = "are not", ["wasnt"] = "was not", ["werent"] = "were not",
        ["wouldnt"] = "would not", ["shouldnt"] = "should not", ["couldnt"] = "could not", ["havent"] = "have not",
        ["hasnt"] = "has not", ["hadnt"] = "had not", ["aint"] = "is not", ["im"] = "i am", ["ive"] = "i have",
        ["youre"] = "you are", ["theyre"] = "they are", ["wanna"] = "want to", ["gonna"] = "going to",
        ["gotta"] = "got to", ["2"] = "to",
    };

    private static readonly (string Idiom, string Meaning)[] Idioms =
    [
        (" hit me up ", " message me "), (" hits me up ", " messages me "), (" hitting me up ", " messaging me "),
    ];

    /// <summary>
    /// The canonical form of <paramref name="text"/>. With <paramref name="expandContractions"/> (the default),
    /// "don't", "dont" and "do not" all become "do not", "he'll" becomes "he will" (never "hell"), "wanna" becomes
    /// "want to" and a lone "2" becomes "to".
    /// </summary>
    public static string Normalise(string text, bool expandContractions = true)
    {
        var folded = Fold(text);
        var output = new StringBuilder(folded.Length);
        foreach (var raw in folded.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            AppendWord(output, raw, expandContractions);
        }

        return output.ToString();
    }

    /// <summary>
    /// <see cref="Normalise"/> for a visitor message, with harmless idioms that contain a lexicon phrase reworded:
    /// "hit me up" (get in touch) is not "hit me".
    /// </summary>
    public static string NormaliseMessage(string message)
    {
        var text = " " + Normalise(message) + " ";
        foreach (var (idiom, meaning) in Idioms)
        {
            text = text.Replace(idiom, meaning, StringComparison.Ordinal);
        }

        return text.Trim();
    }

    /// <summary>Whether a text char (already normalised) can stand for a pattern char.</summary>
    public static bool Compatible(char text, char pattern) =>
        text == pattern
        || (text == IOrL && pattern is 'i' or 'l')
        || (pattern == IOrL && text is 'i' or 'l');

    /// <summary>
    /// Lowercase letters and digits, the look-alike symbols (@ $ ! |), apostrophes, and a space for everything else.
    /// Invisible format characters (zero-width space, soft hyphen) are dropped, so they cannot split a word.
    /// </summary>
    private static string Fold(string text)
    {
        var output = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var value = rune.Value;
            if (value < 0x80)
            {
                var c = (char)value;
                output.Append(c switch
                {
                    >= 'A' and <= 'Z' => (char)(c + 32),
                    (>= 'a' and <= 'z') or (>= '0' and <= '9') or '@' or '$' or '!' or '|' or '\'' => c,
                    '`' => '\'',
                    _ => ' ',
                });
                continue;
            }

            if (Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.Format)
            {
                continue;
            }

            switch (value)
            {
                case >= 0xC0 and <= 0xFF:
                    output.Append(Latin1[value - 0xC0] is var l1 and not '\0' ? l1 : ' ');
                    continue;
                case >= 0x100 and <= 0x17F:
                    output.Append(LatinExtendedA[value - 0x100]);
                    continue;
                case 0x2018 or 0x2019 or 0x02BC or 0x00B4 or 0x2032:
                    output.Append('\'');
                    continue;
                case >= 0xFF01 and <= 0xFF5E: // fullwidth ASCII
                    output.Append(Fold(((char)(value - 0xFEE0)).ToString()));
                    continue;
                case >= 0x24B6 and <= 0x24CF: // circled capitals
                    output.Append((char)('a' + value - 0x24B6));
                    continue;
                case >= 0x24D0 and <= 0x24E9: // circled small letters
                    output.Append((char)('a' + value - 0x24D0));
                    continue;
                case >= 0x1D400 and <= 0x1D6A3: // mathematical alphanumerics: 13 alphabets of A–Z, a–z
                    output.Append((char)('a' + (value - 0x1D400) % 52 % 26));
                    continue;
                case >= 0x1D7CE and <= 0x1D7FF: // mathematical digits
                    output.Append((char)('0' + (value - 0x1D7CE) % 10));
                    continue;
                case >= 0xFB00 and <= 0xFB06:
                    output.Append(Ligatures[value - 0xFB00]);
                    continue;
                default:
                    break;
            }

            if (!rune.IsBmp || !Rune.IsLetter(rune))
            {
                output.Append(' ');
                continue;
            }

            var lower = char.ToLowerInvariant((char)value);
            output.Append(LookAlikes.TryGetValue(lower, out var latin) ? latin : lower);
        }

        return output.ToString();
    }

    private static void AppendWord(StringBuilder output, string raw, bool expandContractions)
    {
        // At the edges, apostrophes are quotes and ! or | are punctuation ("help!"); inside a word they are not.
        var word = raw.Trim('\'', '!', '|');
        if (word.Length == 0)
        {
            return;
        }

        Span<char> chars = stackalloc char[word.Length];
        var length = 0;
        // Digits are read as letters inside a word ("k1ll") and alone ("k 1 l l"); a number stays a number ("2026").
        if (word.Length == 1 || word.Any(char.IsLetter))
        {
            foreach (var c in word)
            {
                chars[length++] = c switch
                {
                    '0' => 'o', '1' or '!' or '|' => IOrL, '3' => 'e', '4' or '@' => 'a', '5' or '$' => 's', '7' => 't',
                    _ => c,
                };
            }
        }
        else
        {
            foreach (var c in word)
            {
                if (char.IsAsciiDigit(c) || c == '\'')
                {
                    chars[length++] = c;
                }
            }
        }

        var mapped = new string(chars[..length]).Trim('\'');
        if (mapped.Length == 0)
        {
            return;
        }

        if (!expandContractions)
        {
            Append(output, mapped.Replace("'", "", StringComparison.Ordinal));
            return;
        }

        var apostrophe = mapped.LastIndexOf('\'');
        if (apostrophe > 0)
        {
            var stem = mapped[..apostrophe].Replace("'", "", StringComparison.Ordinal);
            var expanded = mapped[(apostrophe + 1)..] switch
            {
                "t" when stem == "can" => "can not",
                "t" when stem == "won" => "will not",
                "t" when stem == "shan" => "shall not",
                "t" when stem == "ain" => "is not",
                "t" when stem.EndsWith('n') => stem[..^1] + " not",
                "m" => stem + " am",
                "re" => stem + " are",
                "ve" => stem + " have",
                "ll" => stem + " will",
                "d" => stem + " would",
                "s" => stem + " is",
                var rest => stem + rest,
            };
            Append(output, expanded);
            return;
        }

        Append(output, Contractions.TryGetValue(mapped, out var full) ? full : mapped);
    }

    private static void Append(StringBuilder output, string tokens)
    {
        if (output.Length > 0)
        {
            output.Append(' ');
        }

        output.Append(tokens);
    }
}
