using Comx.Core.Chat;
using Comx.Core.Http;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Chat;

/// <summary>The chat limits against Azurite, on a fake clock so a window never ends mid-test.</summary>
public sealed class ChatRateLimitsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 5, TimeSpan.Zero));

    private async Task<ChatRateLimits> LimitsAsync()
    {
        var storage = TestSettings.Storage();
        await storage.EnsureCreatedAsync();
        return new ChatRateLimits(new RateLimiter(storage, _clock, NullLogger<RateLimiter>.Instance), _clock);
    }

    // The fake clock puts every run in the same window, and Azurite keeps the counters: ids are unique per run.
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];

    private static string NewOrg() => "org_" + Guid.NewGuid().ToString("N");

    private string Session(string name) => $"ses_{_run}_{name}";

    [Fact]
    public async Task OneSession_IsLimitedTo20AMinute_EvenWhenTheAddressMaySendMore()
    {
        var limits = await LimitsAsync();
        var (org, ip) = (NewOrg(), TestSettings.NewIp());
        for (var i = 0; i < 20; i++)
        {
            Assert.Null((await limits.HitAsync(ip, org, 600, Session("one"))).Refusal);
        }

        var refused = await limits.HitAsync(ip, org, 600, Session("one"));
        Assert.Equal(ErrorCode.RateLimited, refused.Refusal!.Code);
        Assert.Contains("session", refused.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal("20", refused.Headers["X-RateLimit-Limit"]);
        Assert.Equal("55", refused.Headers["Retry-After"]);

        var classmate = await limits.HitAsync(ip, org, 600, Session("two"));
        Assert.Null(classmate.Refusal);
        Assert.Equal("19", classmate.Headers["X-RateLimit-Remaining"]);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null((await limits.HitAsync(ip, org, 600, Session("one"))).Refusal);
    }

    [Fact]
    public async Task AnOrganisationsPerIpLimit_AppliesAcrossItsSessions_AndOnlyToIt()
    {
        var limits = await LimitsAsync();
        var (org, ip) = (NewOrg(), TestSettings.NewIp());
        for (var i = 0; i < 25; i++)
        {
            Assert.Null((await limits.HitAsync(ip, org, 25, Session($"{i % 5}"))).Refusal);
        }

        var refused = await limits.HitAsync(ip, org, 25, Session("new"));
        Assert.Contains("address", refused.Refusal!.Message, StringComparison.Ordinal);
        Assert.Equal("25", refused.Headers["X-RateLimit-Limit"]);
        Assert.Equal("0", refused.Headers["X-RateLimit-Remaining"]);

        // The same address on another organisation's widget has that organisation's own window.
        Assert.Null((await limits.HitAsync(ip, NewOrg(), 20, Session("elsewhere"))).Refusal);
        // Raising the limit takes effect within the window.
        Assert.Null((await limits.HitAsync(ip, org, 30, Session("new"))).Refusal);
    }

    [Fact]
    public async Task DefaultPerIpLimit_IsSharedByEverySessionFromOneAddress()
    {
        var limits = await LimitsAsync();
        var (org, ip) = (NewOrg(), TestSettings.NewIp());
        for (var i = 0; i < 20; i++)
        {
            Assert.Null((await limits.HitAsync(ip, org, 20, Session($"{i % 4}"))).Refusal);
        }

        var refused = await limits.HitAsync(ip, org, 20, Session("5"));
        Assert.Equal("20", refused.Headers["X-RateLimit-Limit"]);
        Assert.Contains("address", refused.Refusal!.Message, StringComparison.Ordinal);
        Assert.Null((await limits.HitAsync(TestSettings.NewIp(), org, 20, Session("6"))).Refusal);
    }

    [Fact]
    public async Task WithoutAnOrganisation_TheAddressIsLimitedAtTheDefault()
    {
        var limits = await LimitsAsync();
        var ip = TestSettings.NewIp();
        for (var i = 0; i < 20; i++)
        {
            Assert.Null((await limits.HitAsync(ip, null, 0, null)).Refusal);
        }

        Assert.NotNull((await limits.HitAsync(ip, null, 0, null)).Refusal);
    }

    [Fact]
    public async Task FiftyConcurrentHitsOfOneClassroom_LoseNoCount()
    {
        var limits = await LimitsAsync();
        var (org, ip) = (NewOrg(), TestSettings.NewIp());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => limits.HitAsync(ip, org, 40, Session($"{i}")))));

        Assert.Equal(40, outcomes.Count(o => o.Refusal is null));
    }
}
