using Comx.Core.Http;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Http;

public sealed class RateLimitTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(ProbeRoutes.Add);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task PublicChatLimit_21stRequestInAMinute_Returns429WithRetryAfter()
    {
        await TestSettings.FreshRateWindowAsync();
        var ip = TestSettings.NewIp();
        for (var i = 1; i <= 20; i++)
        {
            var ok = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/test/v1/chatty", ip: ip));
            await ok.JsonAsync(200);
            Assert.Equal("20", ok.Header("X-RateLimit-Limit"));
            Assert.Equal((20 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), ok.Header("X-RateLimit-Remaining"));
            Assert.True(long.Parse(ok.Header("X-RateLimit-Reset"), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1);
        }

        var limited = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/test/v1/chatty", ip: ip));
        var error = await limited.ErrorAsync(429, "COMX_RATE_LIMITED");
        Assert.True(error.GetProperty("retryable").GetBoolean());
        Assert.Equal("0", limited.Header("X-RateLimit-Remaining"));
        var retryAfter = int.Parse(limited.Header("Retry-After"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);

        // Another client address has its own window.
        var other = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/test/v1/chatty", ip: TestSettings.NewIp()));
        await other.JsonAsync(200);
    }

    [Fact]
    public async Task ForgedLeftmostForwardedFor_DoesNotEscapeTheLimit()
    {
        await TestSettings.FreshRateWindowAsync();
        var realIp = TestSettings.NewIp();
        for (var i = 0; i < 20; i++)
        {
            // The client writes a fresh address each time; the front end appends the real one on the right.
            var ok = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/test/v1/chatty", ip: $"{TestSettings.NewIp()}, {realIp}"));
            await ok.JsonAsync(200);
        }

        var limited = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/test/v1/chatty", ip: $"{TestSettings.NewIp()}, {realIp}"));
        await limited.ErrorAsync(429, "COMX_RATE_LIMITED");
    }

    [Fact]
    public async Task FiftyConcurrentHits_LoseNoIncrement()
    {
        await TestSettings.FreshRateWindowAsync();
        var limiter = _app.Services.GetRequiredService<RateLimiter>();
        var policy = new RateLimitPolicy("concurrency-test", 1000, TimeSpan.FromMinutes(1));
        var key = Guid.NewGuid().ToString("N");

        var decisions = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => limiter.HitAsync(policy, key))));

        Assert.All(decisions, d => Assert.True(d.Allowed));
        // Every hit saw a distinct count: no two increments were merged.
        Assert.Equal(50, decisions.Select(d => d.Remaining).Distinct().Count());
        var after = await limiter.PeekAsync(policy, key);
        Assert.Equal(1000 - 50, after.Remaining);
    }

    [Fact]
    public async Task ConcurrentHitsAtTheLimit_AllowExactlyTheLimit()
    {
        await TestSettings.FreshRateWindowAsync();
        var limiter = _app.Services.GetRequiredService<RateLimiter>();
        var policy = new RateLimitPolicy("limit-test", 20, TimeSpan.FromMinutes(1));
        var key = Guid.NewGuid().ToString("N");

        var decisions = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => limiter.HitAsync(policy, key))));

        Assert.Equal(20, decisions.Count(d => d.Allowed));
        Assert.Equal(30, decisions.Count(d => !d.Allowed));
    }
}
