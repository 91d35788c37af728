using Comx.Core.Safeguarding;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comx.Tests.Safeguarding;

/// <summary>The default detector: every category, the look-alikes, negation, and layers (b) and (c).</summary>
public sealed class DisclosureDetectorTests
{
    private static readonly SafeguardingPolicy Defaults = new();

    [Theory]
    [InlineData("my dad slaps me when he's angry", SafeguardingCategory.PhysicalAbuse)]
    [InlineData("my mum says im worthless every day", SafeguardingCategory.EmotionalAbuse)]
    [InlineData("my uncle touches me and says its our secret", SafeguardingCategory.SexualAbuse)]
    [InlineData("theres never any food at home", SafeguardingCategory.Neglect)]
    [InlineData("i'm going to end it all tonight", SafeguardingCategory.SelfHarm)]
    [InlineData("thinking about sewerslide again", SafeguardingCategory.SelfHarm)]
    [InlineData("i swallowed a load of tablets yesterday", SafeguardingCategory.SelfHarm)]
    [InlineData("nobody would even notice if i was gone", SafeguardingCategory.SelfHarm)]
    [InlineData("i make myself sick after tea so i dont get fat", SafeguardingCategory.EatingDisorder)]
    [InlineData("im being bullied on snapchat every night", SafeguardingCategory.Bullying)]
    [InlineData("my dad hits my mum when hes drunk", SafeguardingCategory.DomesticAbuse)]
    [InlineData("the olders make me sell drugs out of town", SafeguardingCategory.Exploitation)]
    [InlineData("a guy online keeps asking me to send pics", SafeguardingCategory.Grooming)]
    [InlineData("i want to join isis", SafeguardingCategory.Radicalisation)]
    [InlineData("my family are taking me abroad to get me cut", SafeguardingCategory.Fgm)]
    [InlineData("my parents are forcing me to marry my cousin", SafeguardingCategory.ForcedMarriage)]
    [InlineData("i got kicked out and have nowhere to sleep", SafeguardingCategory.Homelessness)]
    [InlineData("some boys said they're going to stab me", SafeguardingCategory.SeriousViolence)]
    public void EveryCategory_EscalatesWithItsCategory_FromThePatterns(string message, SafeguardingCategory category)
    {
        var verdict = Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(Defaults, message));
        Assert.Equal(category, verdict.Category);
        Assert.Equal(SafeguardingLayer.Patterns, verdict.DetectedBy);
        Assert.False(string.IsNullOrWhiteSpace(verdict.Phrase));
    }

    [Theory]
    [InlineData("I could murder a pizza")]
    [InlineData("my phone is dead")]
    [InlineData("this exam will be the death of me")]
    [InlineData("what is your self-harm policy?")]
    [InlineData("when is the suicide prevention lesson?")]
    [InlineData("what are county lines? we did it in pshe")]
    [InlineData("i need help with my essay on knife crime")]
    [InlineData("how do you make a bomb in minecraft")]
    [InlineData("my brother hit me with a pillow lol")]
    [InlineData("i want to die of embarrassment, i fell over in assembly")]
    [InlineData("my mum is going to kill me if i lose my blazer")]
    [InlineData("what does unalive mean on tiktok")]
    [InlineData("how do i help a friend who self-harms")]
    [InlineData("my cousin is getting married in pakistan, can i have time off")]
    [InlineData("i'm starving, what's for lunch")]
    public void LookAlikes_StayClear(string message) =>
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(Defaults, message));

    [Theory]
    [InlineData("i would never kill myself, i'm just asking for a friend")]
    [InlineData("i'm not being bullied anymore, it got sorted")]
    [InlineData("i don't want to die, i'm scared of spiders")]
    public void NegatedStatements_StayClear(string message) =>
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(Defaults, message));

    [Theory]
    [InlineData("i cant stop cutting myself")]
    [InlineData("how do i stop self harming")]
    [InlineData("i don't think anyone would miss me")]
    public void NegationWordsThatAreNotNegation_StillEscalate(string message) =>
        Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(Defaults, message));

    [Fact]
    public void WithoutTheDefaultDetector_OnlyTheOrganisationsTermsApply()
    {
        var policy = new SafeguardingPolicy { UseDefaultLexicon = false, EscalationTerms = ["purple elephant"] };
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(policy, "my dad hits me"));
        var own = Assert.IsType<SafeguardingVerdict.Escalated>(SafeguardingMatcher.Check(policy, "I saw a purple elephant"));
        Assert.Equal(new SafeguardingVerdict.Escalated(SafeguardingCategory.Custom, "purple elephant", SafeguardingLayer.Terms), own);
    }

    [Fact]
    public async Task EvaluationSet_MeetsTheTargets_OnHeldOutAndDev()
    {
        var dev = SafeguardingEvaluation.Load("dev");
        var heldOut = SafeguardingEvaluation.Load("heldout");
        var all = dev.Concat(heldOut).ToList();
        Assert.True(all.Count(m => m.IsDisclosure) >= 400, "at least 400 disclosures");
        Assert.True(all.Count(m => !m.IsDisclosure) >= all.Count(m => m.IsDisclosure), "at least as many benign look-alikes as disclosures");
        var categories = Enum.GetValues<SafeguardingCategory>()
            .Where(c => c is not (SafeguardingCategory.Custom or SafeguardingCategory.Abuse))
            .Select(c => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(c.ToString())).ToList();

        foreach (var split in new[] { heldOut, dev })
        {
            var report = await SafeguardingEvaluation.ScoreAsync(split, message => Task.FromResult(SafeguardingMatcher.Check(Defaults, message)));
            Assert.Equal(categories.Order(StringComparer.Ordinal), report.PerCategory.Keys.Order(StringComparer.Ordinal));
            Assert.True(report.Recall >= 0.97, $"recall {report.Recall:P1}; missed {report.Missed.Count}");
            Assert.All(categories, category => Assert.True(report.CategoryRecall(category) >= 0.90, $"{category}: {report.CategoryRecall(category):P1}"));
            Assert.True(report.FalseAlarmRate <= 0.03, $"benign false alarms {report.FalseAlarmRate:P1}");
        }
    }

    [Fact]
    public async Task ModelLayer_EscalatesWhatThePatternsMiss_AndAnOutageKeepsTheirVerdict()
    {
        await using var server = await FakeModelServer.StartAsync();
        using var client = new OpenAI.Chat.ChatClient("gpt-test", new System.ClientModel.ApiKeyCredential("test"),
            new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.Endpoint) }).AsIChatClient();
        var detector = new SafeguardingDetector(null, client, NullLogger<SafeguardingDetector>.Instance);
        const string subtle = "things at home have got really bad and i feel like giving up";

        server.ReplyText = "self_harm";
        var verdict = Assert.IsType<SafeguardingVerdict.Escalated>(await detector.CheckAsync(Defaults, subtle, TestContext.Current.CancellationToken));
        Assert.Equal(SafeguardingCategory.SelfHarm, verdict.Category);
        Assert.Equal(SafeguardingLayer.Model, verdict.DetectedBy);
        Assert.Contains(subtle, server.LastRequest, StringComparison.Ordinal);

        server.ReplyText = "none";
        Assert.IsType<SafeguardingVerdict.Clear>(await detector.CheckAsync(Defaults, subtle, TestContext.Current.CancellationToken));

        server.Behaviour = ModelBehaviour.Fail;
        Assert.IsType<SafeguardingVerdict.Clear>(await detector.CheckAsync(Defaults, subtle, TestContext.Current.CancellationToken));
        var patterns = Assert.IsType<SafeguardingVerdict.Escalated>(await detector.CheckAsync(Defaults, "my dad hits me", TestContext.Current.CancellationToken));
        Assert.Equal(SafeguardingLayer.Patterns, patterns.DetectedBy);

        // No risk cue, no model call: ordinary questions never wait on the model.
        var before = server.Requests;
        Assert.IsType<SafeguardingVerdict.Clear>(await detector.CheckAsync(Defaults, "what time does the bus go", TestContext.Current.CancellationToken));
        Assert.Equal(before, server.Requests);
    }

    [Theory]
    [InlineData("self_harm", SafeguardingCategory.SelfHarm)]
    [InlineData(" Forced-marriage.", SafeguardingCategory.ForcedMarriage)]
    [InlineData("FGM", SafeguardingCategory.Fgm)]
    [InlineData("none", null)]
    [InlineData("custom", null)]
    [InlineData("I cannot help with that", null)]
    public void ModelReply_IsReadAsOneCategoryOrNone(string reply, SafeguardingCategory? expected) =>
        Assert.Equal(expected, SafeguardingDetector.ParseModelReply(reply));

    [Fact]
    public async Task EmbeddingLayer_CatchesAParaphraseThePatternsMiss_ButNotALookAlike()
    {
        var exemplars = new SafeguardingExemplars(new Comx.Core.Embeddings.LocalEmbeddingGenerator());
        var detector = new SafeguardingDetector(exemplars, null, NullLogger<SafeguardingDetector>.Instance);
        const string paraphrase = "at home i get beaten whenever i do something wrong";
        Assert.IsType<SafeguardingVerdict.Clear>(SafeguardingMatcher.Check(Defaults, paraphrase));

        var verdict = Assert.IsType<SafeguardingVerdict.Escalated>(await detector.CheckAsync(Defaults, paraphrase, TestContext.Current.CancellationToken));
        Assert.Equal(SafeguardingLayer.Embeddings, verdict.DetectedBy);
        Assert.Equal(SafeguardingCategory.PhysicalAbuse, verdict.Category);
        Assert.StartsWith("like: ", verdict.Phrase, StringComparison.Ordinal);

        Assert.IsType<SafeguardingVerdict.Clear>(await detector.CheckAsync(Defaults, "i hurt my knee in pe", TestContext.Current.CancellationToken));
    }
}
