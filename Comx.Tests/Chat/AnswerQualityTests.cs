using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Infrastructure;

namespace Comx.Tests.Chat;

/// <summary>
/// Answers on an index carrying real MiniLM vectors: hybrid retrieval, the dense fallback, extractive answers made of
/// the sentences that answer, and conversation answered without searching.
/// </summary>
public sealed class AnswerQualityTests
{
    private static readonly IReadOnlyList<IndexedChunk> Handbook =
    [
        .. ChatTestOrg.Knowledge,
        new("chk_spring", "src_terms", "Term dates 2026–27", "https://www.hillside.example/term-dates", "Spring term",
            "Spring term starts on Monday 4 January 2027. February half term is from 15 to 19 February 2027. The spring term ends on Thursday 25 March 2027."),
        new("chk_fees", "src_trips", "Trips and fees", null, "Costs",
            "Year | Trip | Cost\nYear 3 | Roman museum | £12\nYear 6 | Residential at Kingswood | £320"),
        new("chk_maths", "src_maths", "Maths at Hillside", null, "Homework",
            "Children practise times tables every week on Times Tables Rock Stars. Homework is set on Fridays and handed in on Wednesdays."),
        new("chk_kit", "src_pe", "PE kit", null, "What to bring",
            "On PE days children come to school in their kit. You will need:\n- a white T-shirt\n- navy shorts\n- plimsolls or trainers\nPlease label every item."),
    ];

    [Fact]
    public async Task QuestionWithoutASharedKeyword_FindsThePageByMeaning()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true);

        // The page says "lunches"; the question says "dinners".
        var answer = (await (await org.StartAsync(app)).AskAsync("How much are school dinners?")).GetProperty("answer");

        Assert.False(answer.GetProperty("fallback").GetBoolean(), answer.ToString());
        Assert.Contains("£2.60", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("src_lunch", answer.GetProperty("citations")[0].GetProperty("source_id").GetString());
    }

    [Fact]
    public async Task SpringHalfTerm_GetsTheSpringHalfTerm_NotTheAutumnOne()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true);

        var text = (await (await org.StartAsync(app)).AskAsync("When is the spring half term?")).GetProperty("answer").GetProperty("text").GetString()!;

        Assert.Contains("15 to 19 February", text, StringComparison.Ordinal);
        Assert.DoesNotContain("October", text, StringComparison.Ordinal);
        // Only the sentence that answers: not the whole section, and no title glued on.
        Assert.DoesNotContain("25 March", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Term dates", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeneralKnowledgeQuestion_FallsBack_OfferingHandoffAndEnquiry()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true);

        var reply = await (await org.StartAsync(app)).AskAsync("Who painted the ceiling of the Sistine Chapel?");

        Assert.True(reply.GetProperty("answer").GetProperty("fallback").GetBoolean(), reply.ToString());
        Assert.Equal(["handoff", "enquiry"], reply.GetProperty("suggested_actions").EnumerateArray().Select(a => a.GetString()).ToArray());
    }

    [Fact]
    public async Task TableRows_BecomeHeaderValueLines_AndListsStayLists()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true);
        var visitor = await org.StartAsync(app);

        var trip = (await visitor.AskAsync("How much does the Year 6 residential cost?")).GetProperty("answer").GetProperty("text").GetString()!;
        var kit = (await visitor.AskAsync("What does my child need for PE?")).GetProperty("answer").GetProperty("text").GetString()!;

        Assert.Contains("Year: Year 6; Trip: Residential at Kingswood; Cost: £320", trip, StringComparison.Ordinal);
        Assert.DoesNotContain(" | ", trip, StringComparison.Ordinal);
        Assert.Contains("\n- a white T-shirt\n- navy shorts\n- plimsolls or trainers", kit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NeighbourSharingOnlyAWord_IsNotAppended()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true);

        var text = (await (await org.StartAsync(app)).AskAsync("What time do after-school clubs finish?")).GetProperty("answer").GetProperty("text").GetString()!;

        Assert.Contains("4:30pm", text, StringComparison.Ordinal);
        Assert.DoesNotContain("times tables", text, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("hi")]
    [InlineData("Hello there!")]
    [InlineData("thanks")]
    [InlineData("Thank you so much")]
    [InlineData("bye")]
    public async Task Pleasantries_AreAnsweredAsSuch_WithoutFallback(string message)
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true);

        var reply = await (await org.StartAsync(app)).AskAsync(message);

        var answer = reply.GetProperty("answer");
        Assert.False(answer.GetProperty("fallback").GetBoolean());
        Assert.DoesNotContain("couldn't find", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, answer.GetProperty("citations").GetArrayLength());
        Assert.Equal(0, reply.GetProperty("suggested_actions").GetArrayLength());
    }

    [Fact]
    public async Task AskingForAPerson_OffersHandoff_OnlyWhenTheOrgAllowsIt()
    {
        await using var app = await TestApp.StartAsync();
        var allows = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true);
        var refuses = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true, handoffEnabled: false);

        var offered = await (await allows.StartAsync(app)).AskAsync("Can I talk to a real person?");
        var notOffered = await (await refuses.StartAsync(app)).AskAsync("Can I talk to a real person?");

        Assert.Contains("handoff", offered.GetProperty("suggested_actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(0, offered.GetProperty("answer").GetProperty("citations").GetArrayLength());
        Assert.DoesNotContain("handoff", notOffered.GetProperty("suggested_actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("enquiry", notOffered.GetProperty("suggested_actions").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task LeavingAMessage_OffersTheEnquiryForm()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app, Handbook, withVectors: true);

        var reply = await (await org.StartAsync(app)).AskAsync("I want to leave a message");

        Assert.Equal(["enquiry"], reply.GetProperty("suggested_actions").EnumerateArray().Select(a => a.GetString()).ToArray());
        Assert.False(reply.GetProperty("answer").GetProperty("fallback").GetBoolean());
    }
}
