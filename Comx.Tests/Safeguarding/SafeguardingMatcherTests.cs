using System.Diagnostics;
using Comx.Core.Safeguarding;

namespace Comx.Tests.Safeguarding;

public sealed class SafeguardingMatcherTests
{
    private static readonly SafeguardingPolicy Defaults = new();

    [Theory]
    [InlineData("I want to kill myself")]
    [InlineData("KILL MYSELF")]
    [InlineData("i want to k i l l myself")]
    [InlineData("k.i.l.l m.y.s.e.l.f")]
    [InlineData("k-i-l-l my-self")]
    [InlineData("killmyself")]
    [InlineData("iwanttokillmyselfnow")]
    [InlineData("k 1 l l my5elf")]
    [InlineData("5 u 1 c 1 d 3")]
    [InlineData("I w@nt t0 d!e")]
    [InlineData("going to unalive myself")]
    [InlineData("kil l my self")]
    [InlineData("k1ll mys3lf")]
    [InlineData("ki11 myse1f")]
    [InlineData("k!ll myself")]
    [InlineData("kiiiiill myselllf")]
    [InlineData("Ｋｉｌｌ ｍｙｓｅｌｆ")]
    [InlineData("kіll myself")] // Cyrillic і
    [InlineData("ki\u200Bll myself")] // zero-width space
    [InlineData("su1c1d3")]
    [InlineData("$uicide")]
    [InlineData("s-u-i-c-i-d-e")]
    [InlineData("feeling suicidal tonight")]
    [InlineData("I self-harm")]
    [InlineData("been selfharming again")]
    [InlineData("s3lf h@rm")]
    [InlineData("i wanna die")]
    [InlineData("I want 2 die")]
    [InlineData("I just want to diiiie")]
    [InlineData("I don't want to live anymore")]
    [InlineData("i dont want to live")]
    [InlineData("dontwanttolive")]
    [InlineData("ijustwanttodie")]
    [InlineData("I keep hurrrting myself")]
    [InlineData("I'm gonna end it all")]
    [InlineData("kil myself")]
    [InlineData("nobody would miss me")]
    public void SelfHarmPhrasing_Escalates(string message)
    {
        var verdict = Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(Defaults, message));
        Assert.Equal(SafeguardingCategory.SelfHarm, verdict.Category);
    }

    [Theory]
    [InlineData("my dad hits me", SafeguardingCategory.PhysicalAbuse, "dad hits me")]
    [InlineData("he hit me", SafeguardingCategory.PhysicalAbuse, "he hit me")]
    [InlineData("My step-dad hurts me when mum is out", SafeguardingCategory.PhysicalAbuse, "stepdad hurts me")]
    [InlineData("he touched me and told me not to tell", SafeguardingCategory.SexualAbuse, "he touched me")]
    [InlineData("m y  u n c l e  h i t s  m e", SafeguardingCategory.PhysicalAbuse, "uncle hits me")]
    [InlineData("my mum's boyfriend beat me up", SafeguardingCategory.PhysicalAbuse, "boyfriend beat me up")]
    [InlineData("I don't feel safe at home", SafeguardingCategory.Abuse, "don't feel safe at home")]
    [InlineData("a man online asked me for nudes", SafeguardingCategory.Grooming, "asked me for nudes")]
    [InlineData("I'm scared of my stepdad", SafeguardingCategory.Abuse, "scared of my stepdad")]
    public void AbuseDisclosure_Escalates(string message, SafeguardingCategory category, string phrase)
    {
        var verdict = Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(Defaults, message));
        Assert.Equal(new SafeguardingVerdict.Escalated(category, phrase, SafeguardingLayer.Patterns), verdict);
    }

    [Theory]
    [InlineData("I'm dying to know when the open evening is")]
    [InlineData("What skills will I learn on the course?")]
    [InlineData("Tell me about the killer whale trip")]
    [InlineData("This maths homework is killing me")]
    [InlineData("Exam stress is killing me lol")]
    [InlineData("Where is the therapist's office?")]
    [InlineData("My phone died during the exam")]
    [InlineData("Do you teach cutting-edge science?")]
    [InlineData("I cut my hair and hurt my knee in PE")]
    [InlineData("We will hang the artwork ourselves")]
    [InlineData("I want to dye my hair for the show")]
    [InlineData("Should I go on a diet? I want to diet before prom")]
    [InlineData("She hit the target in archery")]
    [InlineData("My dad is picking me up at 3")]
    [InlineData("Is there a self-service checkout in the canteen?")]
    [InlineData("What is your abuse reporting policy?")]
    [InlineData("The deadline is 12/09/2026 at 10:30, fee £12.50")]
    [InlineData("Can I bring my mum to the open day?")]
    [InlineData("My weekend, my life and my friends")]
    [InlineData("He lives at 1 Kill Lane? No, 10 Mill Lane")]
    [InlineData("I have 3 cats and 1 dog")]
    [InlineData("he hit me up yesterday about the project")]
    [InlineData("my brother beat me at chess")]
    [InlineData("I don't want to be late")]
    [InlineData("I'm scared of exams")]
    [InlineData("")]
    [InlineData("   !!! ??? ...")]
    public void OrdinaryQuestions_StayClear(string message) =>
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(Defaults, message));

    [Theory]
    [InlineData("this is a scam", "scam")]
    [InlineData("what a SCAM!!!", "scam")]
    [InlineData("s c a m", "scam")]
    [InlineData("sc4m", "scam")]
    [InlineData("you absolute muppet", "muppet")]
    [InlineData("you absolute mupppet", "muppet")]
    [InlineData("kill the lights", "kill")]
    [InlineData("don't be an ass", "ass")]
    [InlineData("go to hell", "hell")]
    public void BlockedTerm_Blocks(string message, string term)
    {
        var policy = new SafeguardingPolicy { BlockedTerms = ["scam", "Muppet ", "kill", "ass", "hell"] };
        var verdict = Assert.IsType<SafeguardingVerdict.Blocked>(SafeguardingMatcher.Check(policy, message));
        Assert.Equal(term, verdict.Term, ignoreCase: true);
    }

    [Theory]
    [InlineData("What skills do I need?")]
    [InlineData("Is there an assessment in class?")]
    [InlineData("Bring your passport, as usual")]
    [InlineData("a s s")]
    [InlineData("He'll say hello from the shell")]
    [InlineData("We'll be well")]
    [InlineData("Scampi and chips")]
    public void WordsContainingBlockedTerms_StayClear(string message)
    {
        var policy = new SafeguardingPolicy { BlockedTerms = ["kill", "ass", "hell", "scam"] };
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, message));
    }

    [Fact]
    public void CustomEscalationTerm_EscalatesAsCustom()
    {
        var policy = new SafeguardingPolicy { EscalationTerms = ["knife", "run away from home"] };

        var knife = Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(policy, "there's a kn1fe in his bag"));
        Assert.Equal(new SafeguardingVerdict.Escalated(SafeguardingCategory.Custom, "knife", SafeguardingLayer.Terms), knife);

        var runaway = Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(policy, "im going to RUN AWAY from home"));
        Assert.Equal("run away from home", runaway.Phrase);

        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "we use knives and forks in food tech"));
    }

    [Fact]
    public void LexiconOff_OnlyOwnTermsCount()
    {
        var policy = new SafeguardingPolicy { UseDefaultLexicon = false, EscalationTerms = ["bullied"] };

        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "I want to kill myself"));
        Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(policy, "I'm being bullied"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(new SafeguardingPolicy { UseDefaultLexicon = false }, "kill myself"));
    }

    [Fact]
    public void BlockedTermAndDisclosure_Escalates()
    {
        var policy = new SafeguardingPolicy { BlockedTerms = ["hell", "hits"] };

        var verdict = SafeguardingMatcher.Check(policy, "what the hell, my dad hits me");

        Assert.Equal(new SafeguardingVerdict.Escalated(SafeguardingCategory.PhysicalAbuse, "dad hits me"), verdict);
    }

    [Fact]
    public void OwnTermRepeatingTheLexicon_KeepsTheLexiconCategory()
    {
        var policy = new SafeguardingPolicy { EscalationTerms = ["kill myself"] };

        var verdict = Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(policy, "kill myself"));

        Assert.Equal(SafeguardingCategory.SelfHarm, verdict.Category);
    }

    [Fact]
    public void LongTerm_MatchesInsideAWordButNotAcrossWords()
    {
        var policy = new SafeguardingPolicy { BlockedTerms = ["bullshit"], EscalationTerms = ["knife crime"] };

        Assert.IsType<SafeguardingVerdict.Blocked>(SafeguardingMatcher.Check(policy, "total bullshitter"));
        Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(policy, "theknifecrimegang"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "my pitbull shitzu mix"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "my pocketknife crimes"));
    }

    [Fact]
    public void ShortTerm_MatchesWordForWordOnly()
    {
        var policy = new SafeguardingPolicy { BlockedTerms = ["git", "no u"] };

        Assert.IsType<SafeguardingVerdict.Blocked>(SafeguardingMatcher.Check(policy, "you g1t"));
        Assert.IsType<SafeguardingVerdict.Blocked>(SafeguardingMatcher.Check(policy, "No... u!"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "g i t"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "digital"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "nou"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "legit"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(new SafeguardingPolicy { BlockedTerms = ["butt"] }, "but"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "n o u"));
    }

    [Fact]
    public void EveryLexiconPhrase_MatchesItselfAndIsLongEnoughForSpacingTricks()
    {
        var matcher = SafeguardingMatcher.For(Defaults);
        foreach (var (category, phrase) in DefaultLexicon.Entries)
        {
            Assert.True(SafeguardingText.Normalise(phrase).Count(c => c != ' ') >= SafeguardingMatcher.SpacedMinimumLetters, phrase);
            var verdict = Assert.IsType<SafeguardingVerdict.Escalated>(matcher.Check(phrase));
            Assert.Equal(category, verdict.Category);
        }
    }

    [Fact]
    public void SamePolicyInstance_ReusesCompiledMatcher()
    {
        var policy = new SafeguardingPolicy { BlockedTerms = ["scam"] };

        Assert.Same(SafeguardingMatcher.For(policy), SafeguardingMatcher.For(policy));
        Assert.NotSame(SafeguardingMatcher.For(policy), SafeguardingMatcher.For(policy with { BlockedTerms = ["fraud"] }));
    }

    [Fact]
    public void UnvalidatedPolicyWithBlankTerms_StillChecks()
    {
        var policy = new SafeguardingPolicy { BlockedTerms = ["", "   ", null!, "!!!", "scam"] };

        Assert.IsType<SafeguardingVerdict.Blocked>(SafeguardingMatcher.Check(policy, "a scam"));
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "hello!!!"));
    }

    [Fact]
    public void LongMessageAgainstLargePolicy_IsFast()
    {
        var policy = new SafeguardingPolicy
        {
            BlockedTerms = [.. Enumerable.Range(0, SafeguardingPolicy.MaxTerms).Select(i => $"blockedterm{i} phrase")],
            EscalationTerms = [.. Enumerable.Range(0, SafeguardingPolicy.MaxTerms).Select(i => $"escalation{i}")],
        };
        var message = string.Concat(Enumerable.Repeat("My mum asked if the school trip on 12 May costs £12.50 and when it ends. ", 55))[..4000];
        var matcher = SafeguardingMatcher.For(policy);
        Assert.IsType<SafeguardingVerdict.Clear>(matcher.Check(message));

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            matcher.Check(message);
        }

        // About 1 ms per 4000-character message here; the bound only catches an accidental blow-up.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"20 checks took {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void AdversarialWildcards_StayFast()
    {
        var message = string.Concat(Enumerable.Repeat("i1l|!1 ", 600));
        var watch = Stopwatch.StartNew();

        SafeguardingMatcher.Check(new SafeguardingPolicy { BlockedTerms = ["illicit", "lil"] }, message);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed.TotalMilliseconds} ms");
    }
}
