using Comx.Core.Http;
using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Functions;

/// <summary>
/// docs/decisions/010-client-ip-in-worker.md: the worker passes X-Forwarded-For through untouched, so the address Core
/// limits on is the rightmost entry (the one Azure's front end wrote) and never one the client wrote, with the deployed
/// setting Comx:Network:ForwardedHops = 1. Requests go through <see cref="WorkerTestHost"/>: the worker's
/// forwarded-headers step with the options its own composition registers, then the real function.
/// </summary>
public sealed class WorkerClientIpTests : IAsyncLifetime
{
    private WorkerTestHost _worker = null!;

    /// <summary>A clock that stands still, so a limit's one-minute window cannot roll over mid-test however slow storage is.</summary>
    public async ValueTask InitializeAsync() =>
        _worker = await WorkerTestHost.StartAsync(services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow)));

    public async ValueTask DisposeAsync() => await _worker.DisposeAsync();

    /// <summary>What a client behind Azure's front end sends: its own (forgeable) entries, then the front end's entry for it.</summary>
    private static HttpRequestMessage Request(HttpMethod method, string path, string forged, string realIp, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Forwarded-For", $"{forged}, {realIp}");
        return request;
    }

    [Fact]
    public void WorkerComposition_TurnsOffTheIntegrationsForwardedHeaders()
    {
        Assert.Equal(ForwardedHeaders.None, _worker.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value.ForwardedHeaders);
    }

    [Fact]
    public async Task ForgedForwardedFor_CannotChooseTheChatRateLimitBucket()
    {
        var realIp = TestSettings.NewIp();
        var statuses = new List<int>();
        for (var i = 0; i < RateLimitPolicy.PublicChat.Limit + 1; i++)
        {
            // A different forged address each time: if any of them chose the bucket, the limit would never be reached.
            var response = await _worker.Client.SendAsync(Request(HttpMethod.Post, "/api/" + Routes.ChatSessions, TestSettings.NewIp(), realIp,
                TestApp.Json(new { widget_key = "comx_pk_ip_test" })));
            Assert.Equal(RouteNames.CreateChatSession, response.Header("X-Test-Function"));
            statuses.Add((int)response.StatusCode);
        }

        Assert.All(statuses.Take(RateLimitPolicy.PublicChat.Limit), s => Assert.NotEqual(429, s));
        Assert.Equal(429, statuses[^1]);

        // Another real client, even one that forges the limited address, still has its own allowance.
        var other = await _worker.Client.SendAsync(Request(HttpMethod.Post, "/api/" + Routes.ChatSessions, realIp, TestSettings.NewIp(),
            TestApp.Json(new { widget_key = "comx_pk_ip_test" })));
        Assert.NotEqual(429, (int)other.StatusCode);
    }

    [Fact]
    public async Task ForgedForwardedFor_CannotEscapeTheAuthFailureThrottle()
    {
        var realIp = TestSettings.NewIp();
        var statuses = new List<int>();
        for (var i = 0; i < RateLimitPolicy.AuthFailures.Limit + 1; i++)
        {
            var request = Request(HttpMethod.Get, "/api/" + Routes.Me, TestSettings.NewIp(), realIp);
            request.Headers.Add("Authorization", "Bearer comx_sk_not_a_real_key_" + i);
            var response = await _worker.Client.SendAsync(request);
            Assert.Equal(RouteNames.GetMe, response.Header("X-Test-Function"));
            statuses.Add((int)response.StatusCode);
        }

        // The first ten are checked (and fail); by the twelfth the address is refused before any key is looked at.
        Assert.All(statuses.Take(RateLimitPolicy.AuthFailures.Limit), s => Assert.Equal(401, s));
        await (await _worker.Client.SendAsync(WithBadKey(Request(HttpMethod.Get, "/api/" + Routes.Me, TestSettings.NewIp(), realIp)))).ErrorAsync(429, "COMX_RATE_LIMITED");
    }

    private static HttpRequestMessage WithBadKey(HttpRequestMessage request)
    {
        request.Headers.Add("Authorization", "Bearer comx_sk_not_a_real_key");
        return request;
    }
}
