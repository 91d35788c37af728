using System.Text;

namespace Comx.Core.Safeguarding;

/// <summary>
/// The form of a visitor message that <see cref="DisclosurePatterns"/> reads: <see cref="SafeguardingText.NormaliseMessage"/>
/// (case, accents, look-alikes, leetspeak, contractions), then spelled-out letters joined ("k i l l" → "kill"),
/// text-speak expanded ("u" → "you", "sum1" → "someone", "cos" → "because"), and every run of a repeated letter
/// cut to one ("killl", "kil" and "kill" are all "kil"; "bullied" and "buliied" are "bulied"). Patterns are compiled
/// through the same letter folding (<see cref="CompilePattern"/>), so they are written in plain English and still
/// meet the misspellings children make. The text is padded with a space at each end.
/// </summary>
internal static class DisclosureText
{
    private static readonly Dictionary<string, string> TextSpeak = new(StringComparer.Ordinal)
    {
        ["u"] = "you", ["r"] = "are", ["ur"] = "your", ["n"] = "and", ["ppl"] = "people", ["wiv"] = "with",
        ["cos"] = "because", ["coz"] = "because", ["cuz"] = "because", ["bc"] = "because", ["becuz"] = "because",
        ["becos"] = "because", ["bcos"] = "because", ["tho"] = "though", ["wen"] = "when", ["wat"] = "what",
        ["wot"] = "what", ["bout"] = "about", ["dat"] = "that", ["evry"] = "every", ["evryone"] = "everyone",
        ["evryday"] = "every day", ["everyday"] = "every day", ["tonite"] = "tonight", ["nite"] = "night",
        ["sumı"] = "someone", ["someı"] = "someone", ["noı"] = "no one", ["noone"] = "no one", ["everyı"] = "everyone",
        ["anyı"] = "anyone", ["neı"] = "anyone", ["theres"] = "there is", ["thats"] = "that is", ["whats"] = "what is",
        ["hes"] = "he is", ["shes"] = "she is", ["its"] = "it is", ["theyve"] = "they have", ["theyll"] = "they will",
        ["myslef"] = "myself", ["meself"] = "myself", ["mysef"] = "myself", ["myselfe"] = "myself", ["nothin"] = "nothing",
        ["sumthin"] = "something", ["somethin"] = "something", ["havent"] = "have not", ["ive"] = "i have",
        ["prolly"] = "probably", ["gunna"] = "going to", ["finna"] = "going to", ["tryna"] = "trying to", ["lemme"] = "let me",
        ["dunno"] = "do not know", ["ya"] = "you", ["yh"] = "yes", ["pls"] = "please", ["plz"] = "please", ["rn"] = "right now",
        ["nevr"] = "never", ["neva"] = "never", ["evr"] = "ever", ["makin"] = "making", ["sayin"] = "saying",
        ["askin"] = "asking", ["thinkin"] = "thinking", ["sleepin"] = "sleeping", ["carryin"] = "carrying",
        ["cuttin"] = "cutting", ["goin"] = "going", ["doin"] = "doing", ["gettin"] = "getting", ["hittin"] = "hitting",
        ["kickin"] = "kicking", ["tryin"] = "trying", ["leavin"] = "leaving", ["lookin"] = "looking", ["feelin"] = "feeling",
        ["callin"] = "calling", ["sendin"] = "sending", ["takin"] = "taking", ["comin"] = "coming", ["tellin"] = "telling",
        ["runnin"] = "running", ["livin"] = "living", ["stayin"] = "staying", ["hurtin"] = "hurting", ["killin"] = "killing",
        ["beatin"] = "beating", ["touchin"] = "touching", ["cryin"] = "crying", ["starvin"] = "starving", ["eatin"] = "eating",
        ["bleedin"] = "bleeding", ["watchin"] = "watching", ["dealin"] = "dealing", ["sellin"] = "selling", ["b4"] = "before", ["bı4"] = "before", ["nudez"] = "nudes", ["noods"] = "nudes", ["nudies"] = "nudes",
    };

    public static string Canonical(string message)
    {
        var tokens = SafeguardingText.NormaliseMessage(message).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var words = new List<string>(tokens.Length);
        for (var i = 0; i < tokens.Length;)
        {
            // "k i l l", "5 u 1 c 1 d 3": three or more lone characters in a row are one spelled-out word.
            var j = i;
            while (j < tokens.Length && tokens[j].Length == 1)
            {
                j++;
            }

            if (j - i >= 3)
            {
                words.Add(string.Concat(tokens[i..j]));
                i = j;
                continue;
            }

            var end = Math.Max(j, i + 1);
            for (; i < end; i++)
            {
                words.Add(TextSpeak.TryGetValue(tokens[i], out var full) ? full : tokens[i]);
            }
        }

        var output = new StringBuilder(message.Length + 2).Append(' ');
        foreach (var word in words)
        {
            var previous = '\0';
            foreach (var c in word)
            {
                if (c == previous && IsLetter(c))
                {
                    continue;
                }

                output.Append(c);
                previous = c;
            }

            output.Append(' ');
        }

        return output.ToString();
    }

    /// <summary>
    /// <see cref="Canonical"/> with each sentence kept once: a sentence repeated in a long message adds nothing for the
    /// patterns to find, and would only multiply their work. Sentences end at ". ", "! ", "? " or a line break (never at
    /// a dot inside a word, so "k.i.l.l" stays one spelled-out word).
    /// </summary>
    public static string CanonicalSentences(string message)
    {
        var sentences = SentenceEnd.Split(message);
        if (sentences.Length == 1)
        {
            return Canonical(message);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var output = new StringBuilder(message.Length + 2).Append(' ');
        foreach (var sentence in sentences)
        {
            var canonical = Canonical(sentence);
            if (canonical.Length > 2 && seen.Add(canonical))
            {
                output.Append(canonical.AsSpan(1));
            }
        }

        return output.ToString();
    }

    private static readonly System.Text.RegularExpressions.Regex SentenceEnd = new(@"(?<=[.!?])\s+|[\r\n]+",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));

    /// <summary>
    /// A regular expression written over plain English, made to read <see cref="Canonical"/> text: runs of a
    /// repeated letter are cut to one (outside escapes and character classes), and <c>i</c> and <c>l</c> also match
    /// the i-or-l wildcard that "1", "!" and "|" become.
    /// </summary>
    public static string CompilePattern(string pattern)
    {
        var output = new StringBuilder(pattern.Length * 2);
        var previous = '\0';
        for (var p = 0; p < pattern.Length; p++)
        {
            var c = pattern[p];
            if (c == '\\' && p + 1 < pattern.Length)
            {
                output.Append(c).Append(pattern[++p]);
                previous = '\0';
                continue;
            }

            if (c == '[')
            {
                var close = pattern.IndexOf(']', p + 1);
                var body = pattern[(p + 1)..close];
                output.Append('[').Append(body);
                if (body.Contains('i', StringComparison.Ordinal) || body.Contains('l', StringComparison.Ordinal))
                {
                    output.Append(SafeguardingText.IOrL);
                }

                output.Append(']');
                p = close;
                previous = '\0';
                continue;
            }

            if (c is >= 'a' and <= 'z')
            {
                if (c == previous)
                {
                    continue;
                }

                previous = c;
                output.Append(c switch
                {
                    'i' => "[iı]",
                    'l' => "[lı]",
                    _ => c.ToString(),
                });
                continue;
            }

            previous = '\0';
            output.Append(c);
        }

        return output.ToString();
    }

    private static bool IsLetter(char c) => c is (>= 'a' and <= 'z') or SafeguardingText.IOrL;
}
