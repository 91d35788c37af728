using System.Text;
using System.Text.RegularExpressions;

namespace Comx.Core.Safeguarding;

/// <summary>
/// Replaces email addresses with <c>[email]</c> and phone numbers with <c>[phone]</c> in transcript text.
/// </summary>
/// <remarks>
/// A phone number is a run of digit groups joined by single spaces, dashes, dots or brackets, shaped like one of:
/// <list type="bullet">
/// <item>international: <c>+</c> then 8–15 digits (<c>+44 7700 900123</c>, <c>+44 (0)20 7946 0958</c>, <c>+1 (555) 123-4567</c>),
/// or <c>00</c> then 10–17 digits in all;</item>
/// <item>national with a leading 0 (UK): 10–11 digits (<c>07700 900123</c>, <c>(020) 7946 0958</c>, <c>0161-496-0000</c>);</item>
/// <item>North American: 3-3-4 groups, optionally after a 1 (<c>(555) 123-4567</c>, <c>1-555-123-4567</c>).</item>
/// </list>
/// Anything else stays: prices (<c>£12.50</c>), dates (<c>12/09/2026</c>, <c>2026-09-12</c>), times (<c>10:30</c>),
/// order numbers shorter than a phone number, and short helplines such as <c>0800 1111</c> or <c>116 123</c>.
/// A number written after a currency sign, a slash, a colon or a decimal point is never a phone number.
/// </remarks>
public static class PiiRedactor
{
    public const string EmailPlaceholder = "[email]";
    public const string PhonePlaceholder = "[phone]";

    // Linear-time engine: transcripts are visitor-supplied text.
    private static readonly Regex Email = new(
        @"[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return RedactPhones(Email.Replace(text, EmailPlaceholder));
    }

    private static string RedactPhones(string text)
    {
        StringBuilder? output = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (!StartsNumber(text, i))
            {
                i++;
                continue;
            }

            var plus = text[i] == '+';
            var groups = ReadGroups(text, plus || text[i] == '(' ? i + 1 : i);
            for (var g = 0; g < groups.Count;)
            {
                var last = LongestPhone(text, groups, g, plus && g == 0);
                if (last < 0)
                {
                    g++;
                    continue;
                }

                var start = g == 0 ? i : groups[g].Start;
                if (start > 0 && text[start - 1] == '(')
                {
                    start--;
                }

                output ??= new StringBuilder(text.Length);
                output.Append(text, copied, start - copied).Append(PhonePlaceholder);
                copied = groups[last].End;
                g = last + 1;
            }

            i = groups[^1].End;
        }

        return output is null ? text : output.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>A number may start here: a digit, or + or ( before a digit, not continuing a word or another number.</summary>
    private static bool StartsNumber(string text, int i)
    {
        var c = text[i];
        var digitAt = c is '+' or '(' ? i + 1 : i;
        if (digitAt >= text.Length || !char.IsAsciiDigit(text[digitAt]))
        {
            return false;
        }

        if (i == 0)
        {
            return true;
        }

        var before = text[i - 1];
        return !char.IsLetterOrDigit(before) && before is not ('.' or ',' or '/' or ':' or '£' or '$' or '€' or '#' or '+' or '-');
    }

    /// <summary>Digit groups from <paramref name="i"/>, joined by separators of one to three of <c>space - . ( )</c>.</summary>
    private static List<(int Start, int End)> ReadGroups(string text, int i)
    {
        var groups = new List<(int Start, int End)>();
        while (true)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            groups.Add((start, i));
            var gap = i;
            while (gap < text.Length && gap - i < 3 && text[gap] is ' ' or '-' or '.' or '(' or ')')
            {
                gap++;
            }

            if (gap == i || gap >= text.Length || !char.IsAsciiDigit(text[gap]))
            {
                return groups;
            }

            i = gap;
        }
    }

    /// <summary>The last group of the longest phone number starting at group <paramref name="first"/>, or -1.</summary>
    private static int LongestPhone(string text, List<(int Start, int End)> groups, int first, bool plus)
    {
        var found = -1;
        var digits = 0;
        for (var last = first; last < groups.Count && digits <= 17; last++)
        {
            digits += groups[last].End - groups[last].Start;
            if (IsPhoneShape(text, groups, first, last, digits, plus) && EndsCleanly(text, groups[last].End))
            {
                found = last;
            }
        }

        return found;
    }

    private static bool IsPhoneShape(string text, List<(int Start, int End)> groups, int first, int last, int digits, bool plus)
    {
        if (plus)
        {
            return digits is >= 8 and <= 15;
        }

        var lead = text[groups[first].Start];
        if (lead == '0')
        {
            var international = groups[first].End - groups[first].Start >= 2 && text[groups[first].Start + 1] == '0';
            return international ? digits is >= 10 and <= 17 : digits is >= 10 and <= 11;
        }

        int Length(int g) => groups[g].End - groups[g].Start;
        var count = last - first + 1;
        var areaCode = count == 4 && lead == '1' && Length(first) == 1 ? first + 1 : first;
        return count - (areaCode - first) == 3 && Length(areaCode) == 3 && Length(areaCode + 1) == 3 && Length(areaCode + 2) == 4;
    }

    /// <summary>Not followed by a letter, nor by a date, time or decimal continuing the number.</summary>
    private static bool EndsCleanly(string text, int end)
    {
        if (end >= text.Length)
        {
            return true;
        }

        var after = text[end];
        if (char.IsLetterOrDigit(after))
        {
            return false;
        }

        return !(after is '/' or ':' or '.' or ',' && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1]));
    }
}
