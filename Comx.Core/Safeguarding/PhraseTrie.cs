namespace Comx.Core.Safeguarding;

/// <summary>How a phrase may sit in the text.</summary>
internal enum PhraseMode
{
    /// <summary>
    /// Whole words, spaces ignored: starts where a word starts and ends where a word ends, so "k i l l my self" and
    /// "killmyself" match "kill myself", while "skill" never matches "kill". For phrases of four letters or more.
    /// </summary>
    Spaced,

    /// <summary>Word for word: a space is a character, so "a s s" and "as s" are not "ass". For shorter phrases.</summary>
    WordForWord,

    /// <summary>
    /// Anywhere inside one word, never across a space: "iwanttokillmyself" contains "kill myself". Only for phrases
    /// of eight letters or more, which ordinary words do not contain by accident.
    /// </summary>
    InsideWord,
}

/// <summary>
/// A trie of phrases stored as runs of letters ("kill" is k, i, l×2), walked over normalised text as a
/// non-deterministic automaton, so repeated letters and the i-or-l wildcard need no backtracking. A run of n letters
/// in a phrase matches n or more of that letter in the text ("hurrrt" is "hurt"), and normally never fewer, so "as"
/// is not "ass" and "but" is not "butt".
/// </summary>
internal sealed class PhraseTrie(PhraseMode mode)
{
    private readonly Node _root = new('\0', 0, mode);
    private Dictionary<char, Node[]> _starts = [];

    public PhraseMode Mode => mode;

    public bool IsEmpty => _root.Children is null;

    /// <summary>
    /// Adds <paramref name="normalised"/> (the output of <see cref="SafeguardingText.Normalise"/>). With
    /// <paramref name="singleLetterRuns"/>, a doubled letter may also be typed once ("kil myself").
    /// </summary>
    public void Add(string normalised, SafeguardingVerdict verdict, bool singleLetterRuns = false)
    {
        var node = _root;
        var letters = mode == PhraseMode.WordForWord ? normalised : normalised.Replace(" ", "", StringComparison.Ordinal);
        for (var i = 0; i < letters.Length;)
        {
            var end = i;
            while (end < letters.Length && letters[end] == letters[i])
            {
                end++;
            }

            node = node.Child(letters[i], singleLetterRuns ? 1 : end - i);
            i = end;
        }

        if (node != _root)
        {
            (node.Verdicts ??= []).Add(verdict);
        }
    }

    /// <summary>Indexes the first runs by every text character that can start them. Call once, after the last Add.</summary>
    public PhraseTrie Freeze()
    {
        var starts = new Dictionary<char, List<Node>>();
        foreach (var child in _root.Children ?? [])
        {
            char[] keys = child.C switch
            {
                'i' or 'l' => [child.C, SafeguardingText.IOrL],
                SafeguardingText.IOrL => ['i', 'l', SafeguardingText.IOrL],
                _ => [child.C],
            };
            foreach (var key in keys)
            {
                if (!starts.TryGetValue(key, out var list))
                {
                    starts[key] = list = [];
                }

                list.Add(child);
            }
        }

        _starts = starts.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray());
        return this;
    }

    public Node[] StartsWith(char c) => _starts.TryGetValue(c, out var nodes) ? nodes : [];

    internal sealed class Node(char c, int min, PhraseMode mode)
    {
        public char C { get; } = c;

        /// <summary>How many of <see cref="C"/> the text must repeat, at least.</summary>
        public int Min { get; } = min;

        public PhraseMode Mode { get; } = mode;

        public List<Node>? Children { get; private set; }

        public List<SafeguardingVerdict>? Verdicts { get; set; }

        public Node Child(char c, int min)
        {
            Children ??= [];
            foreach (var child in Children)
            {
                if (child.C == c && child.Min == min)
                {
                    return child;
                }
            }

            var node = new Node(c, min, Mode);
            Children.Add(node);
            return node;
        }
    }
}
