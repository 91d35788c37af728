using System.Globalization;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Benchmarks.Answers;

/// <summary>
/// BM25 variants side by side on the same chunks and questions, to find where our lexical ranking and Lucene's differ:
/// how title, heading and body are combined (one BM25F document, as ours; per-field BM25 summed, as a Lucene
/// BooleanQuery over three fields does; BM25F with per-field length normalisation), the stop-word set (ours or Lucene's
/// 33 words), whether a repeated query word counts again (Lucene adds a clause per occurrence), and the parameters.
/// Choices are read on the dev split only; held-out figures are printed for the record.
/// </summary>
internal static class Bm25Lab
{
    /// <summary>Lucene 4.8's EnglishAnalyzer stop set (StopAnalyzer.ENGLISH_STOP_WORDS_SET).</summary>
    public static readonly IReadOnlySet<string> LuceneStopWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such",
        "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    };

    public enum Combine
    {
        /// <summary>Ours: weighted term frequencies and lengths summed into one document, one saturation.</summary>
        OneDocument,

        /// <summary>Lucene's BooleanQuery over fields: each field its own BM25 (own df, length, saturation), boosted and summed.</summary>
        PerField,

        /// <summary>BM25F proper: each field's frequency normalised by its own length, weighted, summed, then saturated once.</summary>
        PerFieldNorm,
    }

    public sealed record Variant(string Name, Combine Combine, double K1, double B, double TitleWeight, double HeadingWeight, bool LuceneStops = false, bool RepeatQueryTerms = false);

    /// <summary>One scorer over analysed chunks (title, heading, text as separate term lists).</summary>
    public sealed class Scorer
    {
        private readonly Variant _v;
        private readonly List<Dictionary<string, int>[]> _docs = [];
        private readonly int[][] _lengths;
        private readonly double[] _average = new double[3];
        private readonly Dictionary<string, int>[] _df = [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
        private readonly Dictionary<string, int> _dfAny = new(StringComparer.Ordinal);

        public Scorer(IReadOnlyList<IndexedChunk> chunks, Variant variant)
        {
            _v = variant;
            _lengths = new int[chunks.Count][];
            for (var d = 0; d < chunks.Count; d++)
            {
                var c = chunks[d];
                var fields = new[] { c.Title, c.Heading, c.Text }.Select(Analyze).ToArray();
                var tfs = fields.Select(f => f.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal)).ToArray();
                _docs.Add(tfs);
                _lengths[d] = [.. fields.Select(f => f.Count)];
                for (var f = 0; f < 3; f++)
                {
                    _average[f] += fields[f].Count;
                    foreach (var term in tfs[f].Keys)
                    {
                        _df[f][term] = _df[f].GetValueOrDefault(term) + 1;
                    }
                }

                foreach (var term in tfs.SelectMany(t => t.Keys).Distinct(StringComparer.Ordinal))
                {
                    _dfAny[term] = _dfAny.GetValueOrDefault(term) + 1;
                }
            }

            for (var f = 0; f < 3; f++)
            {
                _average[f] = Math.Max(1, _average[f] / Math.Max(1, chunks.Count));
            }
        }

        private IReadOnlyList<string> Analyze(string? text) => _v.LuceneStops ? TextAnalyzer.AnalyzeWithStopWords(text, LuceneStopWords) : TextAnalyzer.Analyze(text);

        private double Idf(int df) => Math.Log(1 + ((_docs.Count - df + 0.5) / (df + 0.5)));

        public List<int> Rank(string question, int top)
        {
            var terms = Analyze(question);
            var query = _v.RepeatQueryTerms ? terms : terms.Distinct(StringComparer.Ordinal).ToList();
            var weights = new[] { _v.TitleWeight, _v.HeadingWeight, 1.0 };
            var scores = new double[_docs.Count];
            var oneDocAverage = (_average[0] * weights[0]) + (_average[1] * weights[1]) + _average[2];
            for (var d = 0; d < _docs.Count; d++)
            {
                var doc = _docs[d];
                var score = 0.0;
                foreach (var t in query)
                {
                    switch (_v.Combine)
                    {
                        case Combine.OneDocument:
                        {
                            var tf = (weights[0] * doc[0].GetValueOrDefault(t)) + (weights[1] * doc[1].GetValueOrDefault(t)) + doc[2].GetValueOrDefault(t);
                            if (tf > 0)
                            {
                                var length = (weights[0] * _lengths[d][0]) + (weights[1] * _lengths[d][1]) + _lengths[d][2];
                                score += Idf(_dfAny[t]) * tf * (_v.K1 + 1) / (tf + (_v.K1 * (1 - _v.B + (_v.B * length / oneDocAverage))));
                            }

                            break;
                        }

                        case Combine.PerField:
                            for (var f = 0; f < 3; f++)
                            {
                                var tf = doc[f].GetValueOrDefault(t);
                                if (tf > 0)
                                {
                                    score += weights[f] * Idf(_df[f][t]) * tf * (_v.K1 + 1) / (tf + (_v.K1 * (1 - _v.B + (_v.B * _lengths[d][f] / _average[f]))));
                                }
                            }

                            break;
                        case Combine.PerFieldNorm:
                        {
                            var tf = 0.0;
                            for (var f = 0; f < 3; f++)
                            {
                                tf += weights[f] * doc[f].GetValueOrDefault(t) / (1 - _v.B + (_v.B * _lengths[d][f] / _average[f]));
                            }

                            if (tf > 0)
                            {
                                score += Idf(_dfAny[t]) * tf * (_v.K1 + 1) / (tf + _v.K1);
                            }

                            break;
                        }
                    }
                }

                scores[d] = score;
            }

            return [.. Enumerable.Range(0, scores.Length).Where(d => scores[d] > 0).OrderByDescending(d => scores[d]).ThenBy(d => d).Take(top)];
        }
    }

    public static IEnumerable<Variant> Grid()
    {
        yield return new Variant("ours as built", Combine.OneDocument, 1.5, 0.45, 2, 3);
        yield return new Variant("ours, Lucene stop set", Combine.OneDocument, 1.5, 0.45, 2, 3, LuceneStops: true);
        yield return new Variant("ours, repeated query words", Combine.OneDocument, 1.5, 0.45, 2, 3, RepeatQueryTerms: true);
        yield return new Variant("per field (Lucene-like), our k1/b/boosts", Combine.PerField, 1.5, 0.45, 2, 3);
        yield return new Variant("per field, Lucene stops + repeats (Lucene analysis)", Combine.PerField, 1.5, 0.45, 2, 3, true, true);
        foreach (var combine in new[] { Combine.OneDocument, Combine.PerField, Combine.PerFieldNorm })
        {
            foreach (var k1 in new[] { 0.9, 1.2, 1.5 })
            {
                foreach (var b in new[] { 0.3, 0.45, 0.6, 0.75 })
                {
                    foreach (var (title, heading) in new[] { (1.0, 1.0), (1.0, 3.0), (2.0, 3.0), (1.0, 5.0), (2.0, 5.0), (0.5, 3.0), (1.0, 8.0) })
                    {
                        yield return new Variant(string.Create(CultureInfo.InvariantCulture, $"{combine} k1 {k1} b {b} title {title} heading {heading}"), combine, k1, b, title, heading);
                    }
                }
            }
        }
    }

    /// <summary>A question and how to tell its right chunk.</summary>
    public sealed record LabQuestion(string Text, Func<IndexedChunk, bool> IsRight);

    /// <summary>A set of questions over one or more separately indexed corpora (the fixture's orgs each search their own).</summary>
    public sealed record LabSet(string Name, IReadOnlyList<(IReadOnlyList<IndexedChunk> Chunks, IReadOnlyList<LabQuestion> Questions)> Groups);

    /// <summary>Right passage first and in the top 3 for each variant on each question set.</summary>
    public static void Run(TextWriter output, IReadOnlyList<LabSet> sets)
    {
        output.WriteLine("BM25 variants (first / top 3 per question set):");
        output.WriteLine();
        output.WriteLine("| variant | " + string.Join(" | ", sets.Select(s => s.Name)) + " |");
        output.WriteLine("|---|" + string.Concat(sets.Select(_ => "---:|")));
        foreach (var variant in Grid())
        {
            var cells = new List<string>();
            foreach (var set in sets)
            {
                int first = 0, top3 = 0, total = 0;
                foreach (var (chunks, questions) in set.Groups)
                {
                    var scorer = new Scorer(chunks, variant);
                    foreach (var q in questions)
                    {
                        var rank = scorer.Rank(q.Text, 3).FindIndex(d => q.IsRight(chunks[d]));
                        first += rank == 0 ? 1 : 0;
                        top3 += rank >= 0 ? 1 : 0;
                        total++;
                    }
                }

                cells.Add(string.Create(CultureInfo.InvariantCulture, $"{(double)first / total:P1} / {(double)top3 / total:P1}"));
            }

            output.WriteLine($"| {variant.Name} | {string.Join(" | ", cells)} |");
        }

        output.WriteLine();
    }
}
