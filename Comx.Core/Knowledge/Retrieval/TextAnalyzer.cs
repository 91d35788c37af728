using System.Collections.Frozen;

namespace Comx.Core.Knowledge.Retrieval;

/// <summary>A term and where its surface form sits in the analysed text (UTF-16 offsets).</summary>
public readonly record struct AnalyzedToken(string Term, int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>
/// English analysis used for both indexing and queries, so a question and a page agree on their terms:
/// <list type="number">
/// <item>Words are runs of letters or digits; everything else separates them. A change between letters and digits
/// also separates (<c>9am</c> → <c>9</c> <c>am</c>, <c>Year7</c> → <c>year</c> <c>7</c>), so "3.30pm" and "3:30 pm"
/// agree. Ordinal endings after digits are dropped (<c>1st</c> → <c>1</c>).</item>
/// <item>An apostrophe inside a word joins it (<c>don't</c> → <c>dont</c>); a possessive <c>'s</c> is dropped
/// (<c>children's</c> → <c>children</c>). Straight and curly apostrophes are the same.</item>
/// <item>Case and accent folding to ASCII for Latin scripts (<c>Café</c> → <c>cafe</c>, <c>Straße</c> →
/// <c>strasse</c>); combining marks are dropped.</item>
/// <item>English stop words (function words, contractions and a few conversational fillers such as "please") are
/// removed. "may" (the month), "after", "before", "up", "off" and "out" are kept: they carry meaning in
/// "after-school club", "pick up", "drop off".</item>
/// <item>Porter stemming (M. F. Porter, 1980, as in the reference implementation and Lucene's PorterStemFilter).
/// Chosen over an S-stemmer because questions and pages often differ in derivational form, not only in number:
/// donate/donation/donations, opening/open, volunteering/volunteers, enrolment/enrol. Its known over-stemming
/// (university/universe) costs little inside one organisation's pages.</item>
/// </list>
/// Terms longer than <see cref="MaxTermLength"/> characters (hashes, base64, run-together URLs) are dropped.
/// </summary>
public static class TextAnalyzer
{
    public const int MaxTermLength = 40;

    /// <summary>
    /// Stop words in folded form (lowercase ASCII, apostrophes removed). Standard English function words, the
    /// contractions they form, and conversational fillers that questions contain and pages rarely do.
    /// </summary>
    public static readonly FrozenSet<string> StopWords = FrozenSet.ToFrozenSet(
    [
        "a", "about", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been",
        "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "during", "each", "either", "etc",
        "for", "from", "further", "get", "gets", "got", "had", "has", "have", "having", "he", "her", "here", "hers",
        "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
        "me", "might", "more", "most", "must", "my", "myself", "no", "nor", "not", "of", "on", "once", "only", "or",
        "other", "our", "ours", "ourselves", "own", "same", "shall", "she", "should", "so", "some", "such", "than",
        "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those",
        "through", "to", "too", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
        "whom", "whose", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves",
        "cannot", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt", "havent", "hed", "hes", "id", "im", "isnt",
        "ive", "lets", "shes", "shouldnt", "thats", "theres", "theyd", "theyll", "theyre", "theyve", "wasnt",
        "wed", "werent", "weve", "whats", "whos", "wont", "wouldnt", "youd", "youll", "youre", "youve",
        "hello", "hi", "please", "thank", "thanks", "know", "tell",
    ], StringComparer.Ordinal);

    /// <summary>The terms of a text, in order, ready for indexing or querying.</summary>
    public static IReadOnlyList<string> Analyze(string? text)
    {
        var terms = new List<string>();
        Scan(text, terms, static (list, term, _, _) => list.Add(term));
        return terms;
    }

    /// <summary>The terms of a text with the offsets of their surface forms (used to place snippets).</summary>
    public static IReadOnlyList<AnalyzedToken> Tokenize(string? text)
    {
        var tokens = new List<AnalyzedToken>();
        Scan(text, tokens, static (list, term, start, length) => list.Add(new AnalyzedToken(term, start, length)));
        return tokens;
    }

    /// <summary>Folds one word as the analyser does (case, accents, apostrophes), without stop words or stemming.</summary>
    public static string Fold(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        // One character folds to at most three (ﬃ → ffi).
        var buffer = new CharBuffer(word.Length <= 128 ? stackalloc char[word.Length * 3] : new char[word.Length * 3]);
        foreach (var c in word)
        {
            if (char.IsLetterOrDigit(c))
            {
                TextFolding.Append(c, ref buffer);
            }
        }

        return buffer.ToString();
    }

    /// <summary>The Porter stem of a folded, lowercase word.</summary>
    public static string Stem(string word) => PorterStemmer.Stem(word);

    /// <summary>The terms of a text with another stop-word set (folded forms): for comparing analyses in the benchmarks.</summary>
    internal static IReadOnlyList<string> AnalyzeWithStopWords(string? text, IReadOnlySet<string> stopWords)
    {
        var terms = new List<string>();
        Scan(text, terms, static (list, term, _, _) => list.Add(term), stopWords);
        return terms;
    }

    internal static void Scan<TState>(string? text, TState state, Action<TState, string, int, int> emit, IReadOnlySet<string>? stopWords = null)
    {
        stopWords ??= StopWords;
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var buffer = new CharBuffer(stackalloc char[MaxTermLength * 2]);
        var i = 0;
        var n = text.Length;
        while (i < n)
        {
            var c = text[i];
            if (!char.IsLetterOrDigit(c))
            {
                i++;
                continue;
            }

            var start = i;
            var digits = char.IsDigit(c);
            buffer.Clear();
            while (i < n)
            {
                c = text[i];
                if (char.IsLetterOrDigit(c))
                {
                    if (char.IsDigit(c) != digits)
                    {
                        break;
                    }

                    TextFolding.Append(c, ref buffer);
                    i++;
                }
                else if (char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
                         or System.Globalization.UnicodeCategory.SpacingCombiningMark)
                {
                    i++;
                }
                else if (!digits && IsApostrophe(c) && i + 1 < n && char.IsLetter(text[i + 1]))
                {
                    if (text[i + 1] is 's' or 'S' && (i + 2 == n || !char.IsLetterOrDigit(text[i + 2])))
                    {
                        Emit(ref buffer, start, i - start, state, emit, stopWords);
                        i += 2;
                        buffer.Clear();
                        start = -1;
                        break;
                    }

                    i++;
                }
                else
                {
                    break;
                }
            }

            if (start < 0)
            {
                continue;
            }

            var end = i;
            if (digits && i + 1 < n && IsOrdinalSuffix(text[i], text[i + 1]) && (i + 2 == n || !char.IsLetterOrDigit(text[i + 2])))
            {
                i += 2;
            }

            Emit(ref buffer, start, end - start, state, emit, stopWords);
        }
    }

    private static void Emit<TState>(ref CharBuffer buffer, int start, int length, TState state, Action<TState, string, int, int> emit, IReadOnlySet<string> stopWords)
    {
        if (buffer.Length == 0 || buffer.Overflowed || buffer.Length > MaxTermLength)
        {
            return;
        }

        var folded = buffer.ToString();
        if (stopWords.Contains(folded))
        {
            return;
        }

        emit(state, PorterStemmer.Stem(folded), start, length);
    }

    private static bool IsApostrophe(char c) => c is '\'' or '\u2019' or '\u2018' or '\u02BC';

    private static bool IsOrdinalSuffix(char a, char b) =>
        (char.ToLowerInvariant(a), char.ToLowerInvariant(b)) is ('s', 't') or ('n', 'd') or ('r', 'd') or ('t', 'h');
}

/// <summary>A fixed-capacity character buffer on the stack; remembers when a word did not fit.</summary>
internal ref struct CharBuffer(Span<char> chars)
{
    private readonly Span<char> _chars = chars;

    public int Length { get; private set; }

    public bool Overflowed { get; private set; }

    public void Append(char c)
    {
        if (Length < _chars.Length)
        {
            _chars[Length++] = c;
        }
        else
        {
            Overflowed = true;
        }
    }

    public void Clear()
    {
        Length = 0;
        Overflowed = false;
    }

    public override readonly string ToString() => new(_chars[..Length]);
}
