using Comx.Core.Billing;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comx.Tests.Billing;

/// <summary>Against Azurite. Each "instance" is its own counter over its own storage clients, as two app instances would be.</summary>
public sealed class UsageCounterTests
{
    private static async Task<UsageCounter> InstanceAsync()
    {
        var storage = TestSettings.Storage();
        await storage.EnsureCreatedAsync();
        return new UsageCounter(storage, TimeProvider.System, NullLogger<UsageCounter>.Instance);
    }

    private static string NewOrg() => "org_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task HundredConcurrentConsumers_CountExactlyUpToTheLimit()
    {
        var counter = await InstanceAsync();
        var org = NewOrg();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => counter.TryConsumeAsync(org, PlanLimit.MessagesPerMonth, 37))));

        Assert.Equal(37, outcomes.Count(o => o == UsageConsumption.Consumed));
        Assert.Equal(63, outcomes.Count(o => o == UsageConsumption.LimitReached));
        Assert.Equal(37, await counter.GetAsync(org, PlanLimit.MessagesPerMonth));
    }

    [Fact]
    public async Task TwoInstancesConsumingAtOnce_NeverExceedTheLimitAndLoseNoCount()
    {
        var (a, b) = (await InstanceAsync(), await InstanceAsync());
        var org = NewOrg();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 120).Select(i =>
            Task.Run(() => (i % 2 == 0 ? a : b).TryConsumeAsync(org, PlanLimit.MessagesPerMonth, 90))));

        Assert.DoesNotContain(UsageConsumption.Contended, outcomes);
        Assert.Equal(90, outcomes.Count(o => o == UsageConsumption.Consumed));
        Assert.Equal(90, await a.GetAsync(org, PlanLimit.MessagesPerMonth));
    }

    [Fact]
    public async Task BelowTheLimit_EveryConsumerIsCounted_AndTheCountIsSpreadOverShards()
    {
        var counter = await InstanceAsync();
        var org = NewOrg();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => counter.TryConsumeAsync(org, PlanLimit.MessagesPerMonth, 100_000))));

        Assert.All(outcomes, o => Assert.Equal(UsageConsumption.Consumed, o));
        Assert.Equal(64, await counter.GetAsync(org, PlanLimit.MessagesPerMonth));
    }

    [Fact]
    public async Task IncrementFromElsewhere_IsSeenByTheNextConsume()
    {
        var (a, b) = (await InstanceAsync(), await InstanceAsync());
        var org = NewOrg();
        Assert.Equal(UsageConsumption.Consumed, await a.TryConsumeAsync(org, PlanLimit.MessagesPerMonth, 50));

        await b.IncrementAsync(org, PlanLimit.MessagesPerMonth, 49);

        Assert.Equal(UsageConsumption.LimitReached, await a.TryConsumeAsync(org, PlanLimit.MessagesPerMonth, 50));
        Assert.Equal(50, await a.GetAsync(org, PlanLimit.MessagesPerMonth));
    }

    [Fact]
    public async Task ReleasedMessage_FreesItsUnit()
    {
        var counter = await InstanceAsync();
        var org = NewOrg();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(UsageConsumption.Consumed, await counter.TryConsumeAsync(org, PlanLimit.MessagesPerMonth, 3));
        }

        Assert.Equal(UsageConsumption.LimitReached, await counter.TryConsumeAsync(org, PlanLimit.MessagesPerMonth, 3));
        await counter.ReleaseMessageAsync(org);

        Assert.Equal(UsageConsumption.Consumed, await counter.TryConsumeAsync(org, PlanLimit.MessagesPerMonth, 3));
        Assert.Equal(3, await counter.GetAsync(org, PlanLimit.MessagesPerMonth));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(1_000)]
    [InlineData(100_003)]
    public void Shares_SumToTheLimitExactly(long allowed) =>
        Assert.Equal(allowed, Enumerable.Range(0, UsageCounter.ShardCount).Sum(i => UsageCounter.Share(allowed, i)));
}
