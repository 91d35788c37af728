using Comx.Core.Chat;

namespace Comx.Tests.Chat;

/// <summary>
/// One organisation's burst waits behind its own turns, never another organisation's (issue 21, isolation); a burst of
/// many organisations waits in one line for the instance's places.
/// </summary>
public sealed class OrgChatGateTests
{
    [Fact]
    public async Task A_Burst_Waits_For_Its_Own_Organisations_Turns_While_Another_Organisation_Goes_Straight_In()
    {
        var gate = new OrgChatGate(TimeSpan.FromMinutes(5));
        var turns = new List<IDisposable>();
        for (var i = 0; i < OrgChatGate.PerOrg; i++)
        {
            turns.Add((await gate.EnterAsync("org_busy", TestContext.Current.CancellationToken))!);
        }

        var waiting = gate.EnterAsync("org_busy", TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(OrgChatGate.PerOrg, gate.InFlight("org_busy"));

        var other = gate.EnterAsync("org_quiet", TestContext.Current.CancellationToken);
        Assert.True(other.IsCompletedSuccessfully);
        using (await other)
        {
            Assert.Equal(1, gate.InFlight("org_quiet"));
        }

        Assert.Equal(0, gate.InFlight("org_quiet"));

        turns[0].Dispose();
        turns[0].Dispose(); // a turn given back twice frees one place, not two
        using (var next = await waiting)
        {
            Assert.NotNull(next);
            Assert.Equal(OrgChatGate.PerOrg, gate.InFlight("org_busy"));
        }

        Assert.Equal(OrgChatGate.PerOrg - 1, gate.InFlight("org_busy"));
        turns.Skip(1).ToList().ForEach(t => t.Dispose());
        Assert.Equal(0, gate.InFlight("org_busy"));
    }

    [Fact]
    public async Task No_Turn_Within_The_Wait_Is_A_Refusal_Not_A_Queue_Without_End()
    {
        var gate = new OrgChatGate(TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < OrgChatGate.PerOrg; i++)
        {
            await gate.EnterAsync("org_full", TestContext.Current.CancellationToken);
        }

        Assert.Null(await gate.EnterAsync("org_full", TestContext.Current.CancellationToken));
        Assert.Equal(OrgChatGate.PerOrg, gate.InFlight("org_full"));
    }

    [Fact]
    public async Task Many_Organisations_At_Once_Wait_For_The_Instances_Places_And_A_Timed_Out_Wait_Gives_Back_Its_Organisations_Place()
    {
        var gate = new OrgChatGate(TimeSpan.FromMilliseconds(200));
        var turns = new List<IDisposable>();
        for (var i = 0; i < OrgChatGate.PerInstance; i++)
        {
            // Fewer than PerOrg each: only the instance's bound can stop the next one.
            turns.Add((await gate.EnterAsync($"org_{i % 4}", TestContext.Current.CancellationToken))!);
        }

        Assert.Equal(OrgChatGate.PerInstance, gate.InFlightInAll);
        var waiting = gate.EnterAsync("org_new", TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        turns[0].Dispose();
        using (var admitted = await waiting)
        {
            Assert.NotNull(admitted);
            Assert.Equal(OrgChatGate.PerInstance, gate.InFlightInAll);
        }

        turns.Add((await gate.EnterAsync("org_new", TestContext.Current.CancellationToken))!);
        // The instance is full: the wait ends without a turn, and the organisation's own place it held is given back.
        Assert.Null(await gate.EnterAsync("org_late", TestContext.Current.CancellationToken));
        Assert.Equal(0, gate.InFlight("org_late"));
        Assert.Equal(OrgChatGate.PerInstance, gate.InFlightInAll);
        turns.ForEach(t => t.Dispose());
        Assert.Equal(0, gate.InFlightInAll);
    }
}
