using System.Runtime.CompilerServices;

namespace Comx.Core.Safeguarding;

/// <summary>
/// Checks a visitor message against a <see cref="SafeguardingPolicy"/>: an escalation phrase (the organisation's own,
/// or the default lexicon when enabled) escalates; otherwise a blocked term blocks; otherwise the message is clear.
/// </summary>
/// <remarks>
/// <para>Both the message and every phrase are normalised the same way (<see cref="SafeguardingText"/>): case,
/// accents, look-alike letters and invisible characters are folded, punctuation separates words, contractions are
/// expanded ("don't" → "do not", "he'll" → "he will"), and inside a word the usual letter-for-digit and symbol swaps
/// are read as letters (0→o, 1→i or l, 3→e, 4→a, 5→s, 7→t, @→a, $→s, ! and | → i or l).</para>
/// <para>A phrase then matches whole words: it must start where a word starts and end where a word ends. Phrases of
/// four letters or more may be spelled with extra or missing spaces ("k i l l myself", "killmyself"); shorter ones
/// must match word for word; phrases of eight letters or more also match inside one longer word
/// ("iwanttokillmyself"), never across a space. Repeated letters are allowed ("hurrrt"); a doubled letter typed once
/// is forgiven only in those long phrases ("kil myself"), never in short ones ("but" is not "butt"). So "skill" does
/// not match "kill", "class" does not match "ass", and "I'm dying to know" matches nothing in the lexicon
/// (<see cref="PhraseMode"/>).</para>
/// <para>A few harmless idioms that contain a lexicon phrase are neutralised in the message first ("he hit me up"
/// means "he messaged me"). Topic words are not: "suicide" or "self-harm" escalate even inside a question, because a
/// visitor asking about them may be asking for themselves, and a member of staff can tell the difference.</para>
/// <para>Escalation wins over blocking: a message that contains both a blocked term and a disclosure ("f***ing hell,
/// my dad hits me") is the message a safeguarding lead most needs to see, and refusing it would tell a child in danger
/// only that their words were not allowed.</para>
/// <para>Matchers are compiled once per policy instance and cached while the instance lives; the default lexicon is
/// compiled once per process. Policies are treated as immutable.</para>
/// </remarks>
public sealed class SafeguardingMatcher
{
    /// <summary>Phrases with fewer letters than this must match word for word (no spacing tricks).</summary>
    internal const int SpacedMinimumLetters = 4;

    /// <summary>Phrases with at least this many letters also match inside a longer word.</summary>
    internal const int InsideWordMinimumLetters = 8;

    private static readonly ConditionalWeakTable<SafeguardingPolicy, SafeguardingMatcher> Compiled = new();

    private static readonly Lazy<PhraseTrie[]> Lexicon = new(() => Build(DefaultLexicon.Entries
        .Select(entry => (entry.Phrase, (SafeguardingVerdict)new SafeguardingVerdict.Escalated(entry.Category, entry.Phrase)))));

    private readonly PhraseTrie[] _own;
    private readonly bool _useDefaults;

    private SafeguardingMatcher(SafeguardingPolicy policy)
    {
        _own = Build(
        [
            .. policy.EscalationTerms.Where(IsTerm).Select(term =>
                (term, (SafeguardingVerdict)new SafeguardingVerdict.Escalated(SafeguardingCategory.Custom, term.Trim(), SafeguardingLayer.Terms))),
            .. policy.BlockedTerms.Where(IsTerm).Select(term =>
                (term, (SafeguardingVerdict)new SafeguardingVerdict.Blocked(term.Trim()))),
        ]);
        _useDefaults = policy.UseDefaultLexicon;
    }

    /// <summary>The compiled matcher for <paramref name="policy"/>, built on first use and kept while the policy lives.</summary>
    public static SafeguardingMatcher For(SafeguardingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Compiled.GetValue(policy, static p => new SafeguardingMatcher(p));
    }

    /// <summary>Shorthand for <c>For(policy).Check(message)</c>.</summary>
    public static SafeguardingVerdict Check(SafeguardingPolicy policy, string message) => For(policy).Check(message);

    /// <summary>
    /// The phrase layers: the default lexicon's spelling-proof phrases and <see cref="DisclosurePatterns"/> (when the
    /// policy uses the defaults), then the organisation's own terms. Escalation wins over blocking; the default
    /// detector's category wins over "custom" when both match.
    /// </summary>
    public SafeguardingVerdict Check(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var normalised = SafeguardingText.NormaliseMessage(message);
        if (_useDefaults)
        {
            if (Scan(Lexicon.Value, normalised) is SafeguardingVerdict.Escalated lexicon && !DisclosurePatterns.Dismisses(message, lexicon))
            {
                return lexicon;
            }

            if (DisclosurePatterns.Match(message) is { } pattern)
            {
                return pattern;
            }
        }

        return _own.Length == 0 ? SafeguardingVerdict.Clear.Instance : Scan(_own, normalised);
    }

    private static bool IsTerm(string? term) => !string.IsNullOrWhiteSpace(term);

    private static PhraseTrie[] Build(IEnumerable<(string Phrase, SafeguardingVerdict Verdict)> phrases)
    {
        PhraseTrie[] tries = [new(PhraseMode.Spaced), new(PhraseMode.WordForWord), new(PhraseMode.InsideWord)];
        foreach (var (phrase, verdict) in phrases)
        {
            // Also the unexpanded form, so "dontwanttolive" (one word, nothing to expand) matches "don't want to live".
            var expanded = SafeguardingText.Normalise(phrase);
            var literal = SafeguardingText.Normalise(phrase, expandContractions: false);
            foreach (var form in expanded == literal ? [expanded] : new[] { expanded, literal })
            {
                var letters = form.Count(c => c != ' ');
                if (letters == 0)
                {
                    continue;
                }

                // A long phrase is distinctive enough to forgive a doubled letter typed once ("kil myself").
                var isLong = letters >= InsideWordMinimumLetters;
                tries[letters >= SpacedMinimumLetters ? 0 : 1].Add(form, verdict, singleLetterRuns: isLong);
                if (isLong)
                {
                    tries[2].Add(form, verdict, singleLetterRuns: true);
                }
            }
        }

        return [.. tries.Where(trie => !trie.IsEmpty).Select(trie => trie.Freeze())];
    }

    /// <summary>
    /// Runs every trie over the text at once. A thread is a position in a trie (a node, and how many of its letter
    /// have been seen); each character moves every thread on, and new threads start at each word start (at every
    /// letter, for <see cref="PhraseMode.InsideWord"/>).
    /// </summary>
    private static SafeguardingVerdict Scan(PhraseTrie[] tries, string text)
    {
        var current = new List<Thread>();
        var next = new List<Thread>();
        var seen = new HashSet<Thread>();
        SafeguardingVerdict.Blocked? blocked = null;

        void Add(Thread thread)
        {
            if (seen.Add(thread))
            {
                next.Add(thread);
            }
        }

        for (var p = 0; p < text.Length; p++)
        {
            var ch = text[p];
            next.Clear();
            seen.Clear();
            foreach (var (node, count) in current)
            {
                if (ch == ' ' && node.Mode != PhraseMode.WordForWord)
                {
                    if (node.Mode == PhraseMode.Spaced)
                    {
                        Add(new Thread(node, count));
                    }

                    continue;
                }

                if (SafeguardingText.Compatible(ch, node.C))
                {
                    Add(new Thread(node, Math.Min(count + 1, node.Min)));
                }

                if (count >= node.Min && node.Children is { } children)
                {
                    foreach (var child in children)
                    {
                        if (SafeguardingText.Compatible(ch, child.C))
                        {
                            Add(new Thread(child, 1));
                        }
                    }
                }
            }

            if (ch == ' ')
            {
                (current, next) = (next, current);
                continue;
            }

            var wordStart = p == 0 || text[p - 1] == ' ';
            var wordEnd = p + 1 == text.Length || text[p + 1] == ' ';
            foreach (var trie in tries)
            {
                if (wordStart || trie.Mode == PhraseMode.InsideWord)
                {
                    foreach (var node in trie.StartsWith(ch))
                    {
                        Add(new Thread(node, 1));
                    }
                }
            }

            SafeguardingVerdict.Escalated? escalated = null;
            foreach (var (node, count) in next)
            {
                if (count < node.Min || node.Verdicts is null || !(wordEnd || node.Mode == PhraseMode.InsideWord))
                {
                    continue;
                }

                foreach (var verdict in node.Verdicts)
                {
                    switch (verdict)
                    {
                        // The lexicon's category says more than "custom" when an organisation's term repeats it.
                        case SafeguardingVerdict.Escalated e when escalated is null || escalated.Category == SafeguardingCategory.Custom:
                            escalated = e;
                            break;
                        case SafeguardingVerdict.Blocked b:
                            blocked ??= b;
                            break;
                        default:
                            break;
                    }
                }
            }

            if (escalated is not null)
            {
                return escalated;
            }

            (current, next) = (next, current);
        }

        return (SafeguardingVerdict?)blocked ?? SafeguardingVerdict.Clear.Instance;
    }

    private readonly record struct Thread(PhraseTrie.Node Node, int Count);
}
