namespace Comx.Core.Knowledge.Retrieval;

/// <summary>
/// The Porter stemming algorithm (M. F. Porter, "An algorithm for suffix stripping", 1980), following Porter's own
/// reference implementation, including its two published departures ("abli"→"able" read as "bli"→"ble", and
/// "logi"→"log"), which is also what Lucene's PorterStemFilter does. Words of one or two letters, and words with
/// anything other than a–z, are returned unchanged.
/// </summary>
internal static class PorterStemmer
{
    public static string Stem(string word)
    {
        if (word.Length <= 2 || word.Length > TextAnalyzer.MaxTermLength)
        {
            return word;
        }

        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return word;
            }
        }

        Span<char> buffer = stackalloc char[word.Length + 4];
        word.AsSpan().CopyTo(buffer);
        var state = new State(buffer, word.Length - 1);
        state.Step1ab();
        state.Step1c();
        state.Step2();
        state.Step3();
        state.Step4();
        state.Step5();
        var stem = buffer[..(state.K + 1)];
        return stem.SequenceEqual(word) ? word : new string(stem);
    }

    private ref struct State(Span<char> b, int k)
    {
        private readonly Span<char> _b = b;
        private int _j;

        /// <summary>Index of the last character of the current stem.</summary>
        public int K { get; private set; } = k;

        public void Step1ab()
        {
            if (_b[K] == 's')
            {
                if (Ends("sses"))
                {
                    K -= 2;
                }
                else if (Ends("ies"))
                {
                    SetTo("i");
                }
                else if (_b[K - 1] != 's')
                {
                    K--;
                }
            }

            if (Ends("eed"))
            {
                if (M() > 0)
                {
                    K--;
                }
            }
            else if ((Ends("ed") || Ends("ing")) && VowelInStem())
            {
                K = _j;
                if (Ends("at"))
                {
                    SetTo("ate");
                }
                else if (Ends("bl"))
                {
                    SetTo("ble");
                }
                else if (Ends("iz"))
                {
                    SetTo("ize");
                }
                else if (DoubleConsonant(K))
                {
                    K--;
                    if (_b[K] is 'l' or 's' or 'z')
                    {
                        K++;
                    }
                }
                else if (M() == 1 && Cvc(K))
                {
                    SetTo("e");
                }
            }
        }

        public void Step1c()
        {
            if (Ends("y") && VowelInStem())
            {
                _b[K] = 'i';
            }
        }

        public void Step2()
        {
            if (K == 0)
            {
                return;
            }

            switch (_b[K - 1])
            {
                case 'a':
                    _ = R("ational", "ate") || R("tional", "tion");
                    break;
                case 'c':
                    _ = R("enci", "ence") || R("anci", "ance");
                    break;
                case 'e':
                    _ = R("izer", "ize");
                    break;
                case 'l':
                    _ = R("bli", "ble") || R("alli", "al") || R("entli", "ent") || R("eli", "e") || R("ousli", "ous");
                    break;
                case 'o':
                    _ = R("ization", "ize") || R("ation", "ate") || R("ator", "ate");
                    break;
                case 's':
                    _ = R("alism", "al") || R("iveness", "ive") || R("fulness", "ful") || R("ousness", "ous");
                    break;
                case 't':
                    _ = R("aliti", "al") || R("iviti", "ive") || R("biliti", "ble");
                    break;
                case 'g':
                    _ = R("logi", "log");
                    break;
            }
        }

        public void Step3()
        {
            switch (_b[K])
            {
                case 'e':
                    _ = R("icate", "ic") || R("ative", "") || R("alize", "al");
                    break;
                case 'i':
                    _ = R("iciti", "ic");
                    break;
                case 'l':
                    _ = R("ical", "ic") || R("ful", "");
                    break;
                case 's':
                    _ = R("ness", "");
                    break;
            }
        }

        public void Step4()
        {
            if (K == 0)
            {
                return;
            }

            var matched = _b[K - 1] switch
            {
                'a' => Ends("al"),
                'c' => Ends("ance") || Ends("ence"),
                'e' => Ends("er"),
                'i' => Ends("ic"),
                'l' => Ends("able") || Ends("ible"),
                'n' => Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent"),
                'o' => (Ends("ion") && _j >= 0 && _b[_j] is 's' or 't') || Ends("ou"),
                's' => Ends("ism"),
                't' => Ends("ate") || Ends("iti"),
                'u' => Ends("ous"),
                'v' => Ends("ive"),
                'z' => Ends("ize"),
                _ => false,
            };
            if (matched && M() > 1)
            {
                K = _j;
            }
        }

        public void Step5()
        {
            _j = K;
            if (_b[K] == 'e')
            {
                var m = M();
                if (m > 1 || (m == 1 && !Cvc(K - 1)))
                {
                    K--;
                }
            }

            if (_b[K] == 'l' && DoubleConsonant(K) && M() > 1)
            {
                K--;
            }
        }

        private readonly bool IsConsonant(int i) => _b[i] switch
        {
            'a' or 'e' or 'i' or 'o' or 'u' => false,
            'y' => i == 0 || !IsConsonant(i - 1),
            _ => true,
        };

        /// <summary>The number of vowel-consonant sequences in the stem <c>b[0.._j]</c>.</summary>
        private readonly int M()
        {
            var n = 0;
            var i = 0;
            while (true)
            {
                if (i > _j)
                {
                    return n;
                }

                if (!IsConsonant(i))
                {
                    break;
                }

                i++;
            }

            i++;
            while (true)
            {
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }

                    if (IsConsonant(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
                n++;
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }

                    if (!IsConsonant(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
            }
        }

        private readonly bool VowelInStem()
        {
            for (var i = 0; i <= _j; i++)
            {
                if (!IsConsonant(i))
                {
                    return true;
                }
            }

            return false;
        }

        private readonly bool DoubleConsonant(int j) => j >= 1 && _b[j] == _b[j - 1] && IsConsonant(j);

        /// <summary>True when <c>b[i-2..i]</c> is consonant-vowel-consonant and the last is not w, x or y.</summary>
        private readonly bool Cvc(int i) =>
            i >= 2 && IsConsonant(i) && !IsConsonant(i - 1) && IsConsonant(i - 2) && _b[i] is not ('w' or 'x' or 'y');

        private bool Ends(string suffix)
        {
            var length = suffix.Length;
            if (length > K + 1 || !_b.Slice(K - length + 1, length).SequenceEqual(suffix))
            {
                return false;
            }

            _j = K - length;
            return true;
        }

        private void SetTo(string replacement)
        {
            replacement.AsSpan().CopyTo(_b[(_j + 1)..]);
            K = _j + replacement.Length;
        }

        /// <summary>When the word ends with <paramref name="suffix"/>: replaces it if m &gt; 0; true either way.</summary>
        private bool R(string suffix, string replacement)
        {
            if (!Ends(suffix))
            {
                return false;
            }

            if (M() > 0)
            {
                SetTo(replacement);
            }

            return true;
        }
    }
}
