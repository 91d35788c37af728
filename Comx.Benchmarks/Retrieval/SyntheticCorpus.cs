using System.Text;
using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Knowledge;

namespace Comx.Benchmarks.Retrieval;

/// <summary>
/// A deterministic corpus of a given size: every chunk of the fixture corpus (so each fixture question keeps its
/// answer) plus generated filler pages. Filler words are drawn 75% from the fixture corpus's own word frequencies,
/// so filler competes for the same terms as the questions ("school", "club", "term", "fees"), and 25% from a
/// Zipf-distributed vocabulary of 30,000 made-up words, the long tail of names and places real sites have.
/// Filler pages have 3–8 chunks of 4–10 sentences of 8–20 words (about 100 words a chunk), a title and headings.
/// </summary>
internal static class SyntheticCorpus
{
    private const int PseudoWords = 30_000;

    public static IReadOnlyList<IndexedChunk> Build(RetrievalCorpus fixture, int size, int seed = 20_251_123)
    {
        var chunks = fixture.Chunks.ToList();
        var random = new Random(seed);
        var words = fixture.Chunks.SelectMany(c => Words(c.Text)).ToArray();
        var titleWords = fixture.Chunks.SelectMany(c => Words(c.Title + " " + c.Heading)).ToArray();
        var pseudo = PseudoVocabulary(random);
        var zipf = ZipfTable(PseudoWords);

        string Word() => random.NextDouble() < 0.75
            ? words[random.Next(words.Length)]
            : pseudo[Sample(zipf, random.NextDouble())];

        string Phrase(int min, int max)
        {
            var count = random.Next(min, max + 1);
            var parts = new string[count];
            for (var i = 0; i < count; i++)
            {
                parts[i] = random.NextDouble() < 0.6 ? titleWords[random.Next(titleWords.Length)] : Word();
            }

            return Capitalise(string.Join(' ', parts));
        }

        var page = 0;
        while (chunks.Count < size)
        {
            page++;
            var source = $"src_filler{page:D6}";
            var title = Phrase(2, 5);
            var url = $"https://filler.example/{page}";
            var sections = Math.Min(random.Next(3, 9), size - chunks.Count);
            for (var s = 0; s < sections; s++)
            {
                var text = new StringBuilder();
                var sentences = random.Next(4, 11);
                for (var i = 0; i < sentences; i++)
                {
                    var count = random.Next(8, 21);
                    var sentence = new string[count];
                    for (var w = 0; w < count; w++)
                    {
                        sentence[w] = Word();
                    }

                    text.Append(Capitalise(string.Join(' ', sentence))).Append(". ");
                }

                chunks.Add(new IndexedChunk($"{source}#{s}", source, title, $"{url}#{s}", s == 0 ? null : Phrase(1, 4), text.ToString().TrimEnd()));
            }
        }

        return chunks;
    }

    private static IEnumerable<string> Words(string? text) =>
        (text ?? "").Split([' ', '\n', '\r', ',', '.', ';', ':', '(', ')', '?', '!'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.ToLowerInvariant());

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string[] PseudoVocabulary(Random random)
    {
        string[] onsets = ["b", "br", "c", "ch", "d", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pl", "r", "s", "sh", "st", "t", "tr", "v", "w", "z"];
        string[] vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"];
        string[] codas = ["", "n", "r", "s", "l", "m", "t", "nd", "ck", "ng", "st"];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>(PseudoWords);
        while (list.Count < PseudoWords)
        {
            var syllables = random.Next(1, 4);
            var word = new StringBuilder();
            for (var i = 0; i < syllables; i++)
            {
                word.Append(onsets[random.Next(onsets.Length)]).Append(vowels[random.Next(vowels.Length)]).Append(codas[random.Next(codas.Length)]);
            }

            if (seen.Add(word.ToString()))
            {
                list.Add(word.ToString());
            }
        }

        return [.. list];
    }

    /// <summary>Cumulative Zipf (s = 1) probabilities over ranks 1..n.</summary>
    private static double[] ZipfTable(int n)
    {
        var cumulative = new double[n];
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            total += 1.0 / (i + 1);
            cumulative[i] = total;
        }

        for (var i = 0; i < n; i++)
        {
            cumulative[i] /= total;
        }

        return cumulative;
    }

    private static int Sample(double[] cumulative, double u)
    {
        var index = Array.BinarySearch(cumulative, u);
        return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
    }
}
