using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Http;

public sealed class IdempotencyTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(ProbeRoutes.Add);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private EffectCounter Effects => _app.Services.GetRequiredService<EffectCounter>();

    private static HttpRequestMessage Post(string tag, string key, string ip)
    {
        var request = TestApp.Request(HttpMethod.Post, "/api/test/v1/effects", TestApp.RawJson($"{{\"tag\":\"{tag}\"}}"), ip);
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task SameKeySameBody_ReplaysTheStoredResponse()
    {
        var (tag, key, ip) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), TestSettings.NewIp());

        var first = await _app.Client.SendAsync(Post(tag, key, ip));
        var firstBody = await first.Content.ReadAsStringAsync();
        var second = await _app.Client.SendAsync(Post(tag, key, ip));
        var secondBody = await second.Content.ReadAsStringAsync();

        Assert.Equal(201, (int)first.StatusCode);
        Assert.Equal(201, (int)second.StatusCode);
        Assert.Equal(firstBody, secondBody);
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, Effects.Counts[tag]);
    }

    [Fact]
    public async Task SameKeyDifferentBody_Returns409Conflict()
    {
        var (key, ip) = (Guid.NewGuid().ToString(), TestSettings.NewIp());
        var tag = Guid.NewGuid().ToString("N");
        await (await _app.Client.SendAsync(Post(tag, key, ip))).JsonAsync(201);

        var other = Guid.NewGuid().ToString("N");
        var conflict = await _app.Client.SendAsync(Post(other, key, ip));
        var error = await conflict.ErrorAsync(409, "COMX_IDEMPOTENCY_CONFLICT");
        Assert.False(error.GetProperty("retryable").GetBoolean());
        Assert.False(Effects.Counts.ContainsKey(other));
    }

    [Fact]
    public async Task SameKeyFromAnotherClient_IsAnotherScope()
    {
        var (tag, key) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString());
        await (await _app.Client.SendAsync(Post(tag, key, TestSettings.NewIp()))).JsonAsync(201);
        var second = await _app.Client.SendAsync(Post(tag, key, TestSettings.NewIp()));
        await second.JsonAsync(201);
        Assert.False(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, Effects.Counts[tag]);
    }

    [Fact]
    public async Task SameKeyWhileFirstInFlight_Returns409Retryable()
    {
        var (tag, key, ip) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), TestSettings.NewIp());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Effects.Gates[tag] = gate;

        var first = _app.Client.SendAsync(Post(tag, key, ip));
        await WaitUntilAsync(() => Effects.Counts.ContainsKey(tag));
        var second = await _app.Client.SendAsync(Post(tag, key, ip));
        var error = await second.ErrorAsync(409, "COMX_IDEMPOTENCY_CONFLICT");
        Assert.True(error.GetProperty("retryable").GetBoolean());
        Assert.Equal("1", second.Header("Retry-After"));

        gate.SetResult();
        await (await first).JsonAsync(201);
        var third = await _app.Client.SendAsync(Post(tag, key, ip));
        await third.JsonAsync(201);
        Assert.Equal("true", third.Header("Idempotent-Replayed"));
        Assert.Equal(1, Effects.Counts[tag]);
    }

    [Fact]
    public async Task TwentyConcurrentDuplicates_HaveExactlyOneEffect()
    {
        var (tag, key, ip) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), TestSettings.NewIp());

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _app.Client.SendAsync(Post(tag, key, ip))));

        Assert.Equal(1, Effects.Counts[tag]);
        Assert.All(responses, r => Assert.Contains((int)r.StatusCode, new[] { 201, 409 }));
        Assert.Single(responses, r => (int)r.StatusCode == 201 && !r.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task NoKey_EveryRequestRuns()
    {
        var tag = Guid.NewGuid().ToString("N");
        for (var i = 0; i < 2; i++)
        {
            var response = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/test/v1/effects", TestApp.RawJson($"{{\"tag\":\"{tag}\"}}"), TestSettings.NewIp()));
            await response.JsonAsync(201);
        }

        Assert.Equal(2, Effects.Counts[tag]);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
