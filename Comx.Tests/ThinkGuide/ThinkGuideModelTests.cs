using System.Diagnostics;
using Comx.Core.Accessibility;
using Comx.Core.ThinkGuide;
using Comx.Tests.Infrastructure;

namespace Comx.Tests.ThinkGuide;

/// <summary>ThinkGuide with <c>Comx:Ai</c> pointed at a loopback model server that replies, fails or hangs.</summary>
public sealed class ThinkGuideModelTests : IAsyncLifetime
{
    private FakeModelServer _model = null!;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _model = await FakeModelServer.StartAsync();
        _app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Comx:Ai:Endpoint"] = _model.Endpoint,
            ["Comx:Ai:Model"] = "test-model",
            ["Comx:Ai:ApiKey"] = "test-key",
            ["Comx:Ai:Timeout"] = "00:00:01",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Fact]
    public async Task ModelReturning500_FallsBackToTheEnginesPrompt()
    {
        _model.Behaviour = ModelBehaviour.Fail;
        var org = await TestOrg.CreateAsync(_app);
        var before = _model.Requests;

        var started = await ThinkGuideTests.StartAsync(_app, org, "lrn_fail");

        Assert.Equal(ThinkGuideEngine.FirstPrompt(ThinkGuideTests.Question, ReadingLevel.Standard), started.GetProperty("prompt").GetString());
        Assert.True(_model.Requests > before);
    }

    [Fact]
    public async Task ModelHangingPastTheTimeout_FallsBackToTheEnginesPrompt()
    {
        _model.Behaviour = ModelBehaviour.Hang;
        var org = await TestOrg.CreateAsync(_app);
        var before = _model.Requests;
        var clock = Stopwatch.StartNew();

        var started = await ThinkGuideTests.StartAsync(_app, org, "lrn_hang");

        Assert.Equal(ThinkGuideEngine.FirstPrompt(ThinkGuideTests.Question, ReadingLevel.Standard), started.GetProperty("prompt").GetString());
        Assert.True(_model.Requests > before);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Took {clock.Elapsed}.");
    }

    [Fact]
    public async Task ModelQuestionThatPassesTheCheck_IsTheNextPrompt()
    {
        _model.Behaviour = ModelBehaviour.Reply;
        _model.ReplyText = "In your own words, what do you need to find out about the spiders and ants?";
        var org = await TestOrg.CreateAsync(_app);

        var started = await ThinkGuideTests.StartAsync(_app, org, "lrn_model");
        var sessionId = started.GetProperty("session_id").GetString()!;
        var session = await (await _app.Client.SendAsync(org.AsKey(HttpMethod.Get, $"{ThinkGuideTests.Sessions}/{sessionId}"))).JsonAsync(200);

        Assert.Equal(_model.ReplyText, started.GetProperty("prompt").GetString());
        Assert.Equal("model", session.GetProperty("steps")[0].GetProperty("prompt_source").GetString());
    }

    [Fact]
    public async Task ModelReplyGivingAnAnswer_IsReplacedByTheEnginesPrompt()
    {
        _model.Behaviour = ModelBehaviour.Reply;
        _model.ReplyText = "The answer is 36 legs, so can you see why?";
        var org = await TestOrg.CreateAsync(_app);

        var started = await ThinkGuideTests.StartAsync(_app, org, "lrn_leak");

        Assert.Equal(ThinkGuideEngine.FirstPrompt(ThinkGuideTests.Question, ReadingLevel.Standard), started.GetProperty("prompt").GetString());
    }
}
