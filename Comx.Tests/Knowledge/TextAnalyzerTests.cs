using Comx.Core.Knowledge.Retrieval;

namespace Comx.Tests.Knowledge;

public sealed class TextAnalyzerTests
{
    [Theory]
    [InlineData("Café", "cafe")]
    [InlineData("CRÈME BRÛLÉE", "cremebrulee")]
    [InlineData("Straße", "strasse")]
    [InlineData("ẞ", "ss")]
    [InlineData("Ærø", "aero")]
    [InlineData("Œuvre", "oeuvre")]
    [InlineData("Łódź", "lodz")]
    [InlineData("Þórr", "thorr")]
    [InlineData("Việt", "viet")]
    [InlineData("ﬁnance", "finance")]
    [InlineData("Ørsted", "orsted")]
    [InlineData("İstanbul", "istanbul")]
    [InlineData("Ελλάδα", "ελλάδα")]
    public void Fold_FoldsCaseAndAccentsToAscii(string word, string expected) =>
        Assert.Equal(expected, TextAnalyzer.Fold(word));

    [Fact]
    public void Analyze_AccentedAndPlainSpellings_GiveTheSameTerms()
    {
        Assert.Equal(TextAnalyzer.Analyze("cafe creme, jalapeno, naive facade"), TextAnalyzer.Analyze("CAFÉ CRÈME, Jalapeño, naïve façade"));
        // A combining accent (e + U+0301) folds the same as the precomposed é.
        Assert.Equal(["cafe"], TextAnalyzer.Analyze("Cafe\u0301"));
    }

    [Fact]
    public void Analyze_RemovesStopWordsAndQuestionFillers()
    {
        Assert.Equal(["uniform"], TextAnalyzer.Analyze("What is the uniform?"));
        Assert.Empty(TextAnalyzer.Analyze("Could you please tell me what it is, and how?"));
        Assert.Empty(TextAnalyzer.Analyze("I don't know, can't we?"));
    }

    [Fact]
    public void Analyze_KeepsWordsThatLookLikeStopWordsButCarryMeaning()
    {
        Assert.Equal(["after", "school", "club"], TextAnalyzer.Analyze("after-school club"));
        Assert.Equal(["drop", "off", "pick", "up"], TextAnalyzer.Analyze("drop off, pick up"));
        Assert.Equal(["mai"], TextAnalyzer.Analyze("in May"));
    }

    [Fact]
    public void Analyze_SplitsOnPunctuationAndBetweenLettersAndDigits()
    {
        Assert.Equal(["3", "30", "pm"], TextAnalyzer.Analyze("3.30pm"));
        Assert.Equal(TextAnalyzer.Analyze("3.30pm"), TextAnalyzer.Analyze("3:30 pm"));
        Assert.Equal(["9"], TextAnalyzer.Analyze("9am"));
        Assert.Equal(["year", "7"], TextAnalyzer.Analyze("Year7"));
        Assert.Equal(["1", "200"], TextAnalyzer.Analyze("£1,200"));
        Assert.Equal(["offic", "oakfield", "primari", "exampl"], TextAnalyzer.Analyze("office@oakfield-primary.example"));
        Assert.Equal(["covid", "19"], TextAnalyzer.Analyze("COVID-19"));
    }

    [Fact]
    public void Analyze_DropsOrdinalEndingsAfterDigits()
    {
        Assert.Equal(TextAnalyzer.Analyze("1 September"), TextAnalyzer.Analyze("1st September"));
        Assert.Equal(["22", "juli"], TextAnalyzer.Analyze("22nd July"));
        Assert.Equal(["3", "term"], TextAnalyzer.Analyze("3rd term"));
    }

    [Fact]
    public void Analyze_HandlesApostrophes()
    {
        Assert.Equal(["children", "centr"], TextAnalyzer.Analyze("children's centre"));
        Assert.Equal(["children", "centr"], TextAnalyzer.Analyze("Children\u2019s Centre"));
        Assert.Equal(["parent", "even"], TextAnalyzer.Analyze("parents' evening"));
        Assert.Equal(["6", "oclock"], TextAnalyzer.Analyze("6 o'clock"));
    }

    [Fact]
    public void Analyze_StemsQuestionAndPageFormsToTheSameTerm()
    {
        Assert.Equal(TextAnalyzer.Analyze("donate"), TextAnalyzer.Analyze("donations"));
        Assert.Equal(TextAnalyzer.Analyze("donate"), TextAnalyzer.Analyze("donating"));
        Assert.Equal(TextAnalyzer.Analyze("open"), TextAnalyzer.Analyze("opening"));
        Assert.Equal(TextAnalyzer.Analyze("volunteer"), TextAnalyzer.Analyze("volunteering"));
        Assert.Equal(TextAnalyzer.Analyze("age"), TextAnalyzer.Analyze("aged"));
        Assert.Equal(TextAnalyzer.Analyze("refund"), TextAnalyzer.Analyze("refunds"));
    }

    [Fact]
    public void Analyze_DropsOverlongTokens()
    {
        var junk = new string('x', TextAnalyzer.MaxTermLength + 1);
        Assert.Equal(["fee"], TextAnalyzer.Analyze($"{junk} fees"));
    }

    [Fact]
    public void Tokenize_ReportsWhereEachTermSits()
    {
        const string text = "Our Breakfast Club opens at 7.45am.";
        var tokens = TextAnalyzer.Tokenize(text);

        Assert.Equal(["breakfast", "club", "open", "7", "45"], tokens.Select(t => t.Term));
        Assert.Equal("Breakfast", text[tokens[0].Start..tokens[0].End]);
        Assert.Equal("opens", text[tokens[2].Start..tokens[2].End]);
        Assert.Equal("45", text[tokens[4].Start..tokens[4].End]);
    }

    [Fact]
    public void Analyze_EmptyOrNull_GivesNoTerms()
    {
        Assert.Empty(TextAnalyzer.Analyze(null));
        Assert.Empty(TextAnalyzer.Analyze(""));
        Assert.Empty(TextAnalyzer.Analyze(" ... — !!"));
    }

    // Examples from Porter's paper, through all five steps.
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("ties", "ti")]
    [InlineData("caress", "caress")]
    [InlineData("cats", "cat")]
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("bled", "bled")]
    [InlineData("motoring", "motor")]
    [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")]
    [InlineData("troubled", "troubl")]
    [InlineData("sized", "size")]
    [InlineData("hopping", "hop")]
    [InlineData("tanned", "tan")]
    [InlineData("falling", "fall")]
    [InlineData("hissing", "hiss")]
    [InlineData("fizzed", "fizz")]
    [InlineData("failing", "fail")]
    [InlineData("filing", "file")]
    [InlineData("happy", "happi")]
    [InlineData("sky", "sky")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("rational", "ration")]
    [InlineData("valenci", "valenc")]
    [InlineData("hesitanci", "hesit")]
    [InlineData("digitizer", "digit")]
    [InlineData("conformabli", "conform")]
    [InlineData("radicalli", "radic")]
    [InlineData("differentli", "differ")]
    [InlineData("vileli", "vile")]
    [InlineData("analogousli", "analog")]
    [InlineData("vietnamization", "vietnam")]
    [InlineData("predication", "predic")]
    [InlineData("operator", "oper")]
    [InlineData("feudalism", "feudal")]
    [InlineData("decisiveness", "decis")]
    [InlineData("hopefulness", "hope")]
    [InlineData("callousness", "callous")]
    [InlineData("formaliti", "formal")]
    [InlineData("sensitiviti", "sensit")]
    [InlineData("sensibiliti", "sensibl")]
    [InlineData("triplicate", "triplic")]
    [InlineData("formative", "form")]
    [InlineData("formalize", "formal")]
    [InlineData("electriciti", "electr")]
    [InlineData("electrical", "electr")]
    [InlineData("hopeful", "hope")]
    [InlineData("goodness", "good")]
    [InlineData("revival", "reviv")]
    [InlineData("allowance", "allow")]
    [InlineData("inference", "infer")]
    [InlineData("airliner", "airlin")]
    [InlineData("gyroscopic", "gyroscop")]
    [InlineData("adjustable", "adjust")]
    [InlineData("defensible", "defens")]
    [InlineData("irritant", "irrit")]
    [InlineData("replacement", "replac")]
    [InlineData("adjustment", "adjust")]
    [InlineData("dependent", "depend")]
    [InlineData("adoption", "adopt")]
    [InlineData("homologou", "homolog")]
    [InlineData("communism", "commun")]
    [InlineData("activate", "activ")]
    [InlineData("angulariti", "angular")]
    [InlineData("homologous", "homolog")]
    [InlineData("effective", "effect")]
    [InlineData("bowdlerize", "bowdler")]
    [InlineData("probate", "probat")]
    [InlineData("rate", "rate")]
    [InlineData("cease", "ceas")]
    [InlineData("controll", "control")]
    [InlineData("roll", "roll")]
    [InlineData("generalizations", "gener")]
    [InlineData("oscillators", "oscil")]
    [InlineData("is", "is")]
    public void Stem_MatchesPorter(string word, string expected) =>
        Assert.Equal(expected, TextAnalyzer.Stem(word));
}
