using Comx.Tests.Infrastructure;

namespace Comx.Tests.Chat;

public sealed class ModelAnswerTests : IAsyncLifetime
{
    private FakeModelServer _model = null!;

    public async ValueTask InitializeAsync() => _model = await FakeModelServer.StartAsync();

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    [Fact]
    public async Task ConfiguredModel_AnswersWithCheckedCitations()
    {
        await using var app = await TestApp.StartAsync(settings: _model.Settings());
        var org = await ChatTestOrg.CreateAsync(app);
        _model.ReplyText = "The autumn term starts on Wednesday 2 September 2026 [1]. See also [9].";

        var answer = (await (await org.StartAsync(app)).AskAsync("When does the autumn term start?")).GetProperty("answer");

        Assert.Equal(1, _model.Requests);
        Assert.Contains("[1] Term dates", _model.LastRequest!, StringComparison.Ordinal);
        Assert.Contains("Wednesday 2 September 2026", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("[1]", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        // [9] was never retrieved, so it is not a citation.
        Assert.Equal(["src_terms"], answer.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("source_id").GetString()).ToArray());
        Assert.False(answer.GetProperty("fallback").GetBoolean());
    }

    [Fact]
    public async Task ModelAnswerWithoutCitations_IsLowConfidenceFallback()
    {
        await using var app = await TestApp.StartAsync(settings: _model.Settings());
        var org = await ChatTestOrg.CreateAsync(app);
        _model.ReplyText = "I think term starts sometime in September.";

        var answer = (await (await org.StartAsync(app)).AskAsync("When does the autumn term start?")).GetProperty("answer");

        Assert.True(answer.GetProperty("fallback").GetBoolean());
        Assert.Equal(0, answer.GetProperty("citations").GetArrayLength());
    }

    [Fact]
    public async Task ProviderOutage_Returns503Retryable_AndStoresNothing()
    {
        await using var app = await TestApp.StartAsync(settings: _model.Settings());
        var org = await ChatTestOrg.CreateAsync(app);
        _model.Behaviour = ModelBehaviour.Fail;
        var visitor = await org.StartAsync(app);

        var error = await (await app.Client.SendAsync(visitor.Message("When does the autumn term start?"))).ErrorAsync(503, "COMX_PROVIDER_UNAVAILABLE");

        Assert.True(error.GetProperty("retryable").GetBoolean());
        Assert.Empty((await visitor.MessagesAsync()).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task ProviderOutage_WithFallbackConfigured_AnswersExtractively()
    {
        await using var app = await TestApp.StartAsync(settings: _model.Settings(fallbackToExtractive: true));
        var org = await ChatTestOrg.CreateAsync(app);
        _model.Behaviour = ModelBehaviour.Fail;

        var answer = (await (await org.StartAsync(app)).AskAsync("When does the autumn term start?")).GetProperty("answer");

        Assert.Contains("2 September 2026", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("src_terms", answer.GetProperty("citations")[0].GetProperty("source_id").GetString());
    }
}
