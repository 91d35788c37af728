using Azure.Data.Tables;
using Comx.Core;
using Comx.Core.Identity;
using Comx.Core.Safeguarding;
using Comx.Core.Storage;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Storage;

/// <summary>
/// The stores' recent reads against Azurite: a write by another instance (made here straight to the table) shows only
/// after <see cref="ReadCache.Staleness"/>; the store's own write shows at once.
/// </summary>
public sealed class CachedReadsTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private static async Task<ComxStorage> StorageAsync()
    {
        var storage = TestSettings.Storage();
        await storage.EnsureCreatedAsync();
        return storage;
    }

    private static string NewOrg() => "org_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task SafeguardingPolicy_OtherInstancesWriteWithinTheStaleness_OwnWriteAtOnce()
    {
        var storage = await StorageAsync();
        var store = new SafeguardingPolicyStore(storage, _clock, new ReadCache(_clock));
        var org = NewOrg();
        Assert.Empty((await store.GetRecentAsync(org)).BlockedTerms);

        await storage.Table(StorageNames.Tables.Settings).UpsertEntityAsync(new TableEntity(org, "safeguarding")
        {
            ["Policy"] = Core.Http.ComxJson.Serialize(new SafeguardingPolicy { BlockedTerms = ["elsewhere"] }),
        });
        Assert.Empty((await store.GetRecentAsync(org)).BlockedTerms);
        _clock.Advance(ReadCache.Staleness);
        Assert.Equal(["elsewhere"], (await store.GetRecentAsync(org)).BlockedTerms);

        await store.SaveAsync(org, new SafeguardingPolicy { BlockedTerms = ["here"] }, "user_1");
        Assert.Equal(["here"], (await store.GetRecentAsync(org)).BlockedTerms);
    }

    [Fact]
    public async Task Organisation_DeletedOnThisInstance_IsGoneAtOnce()
    {
        var storage = await StorageAsync();
        var directory = new OrgDirectory(storage, _clock, new ReadCache(_clock));
        var org = NewOrg();
        await directory.UpsertOrgAsync(org, "Hillside", "hillside", 1);
        Assert.Equal(RecordStatus.Active, (await directory.GetRecentAsync(org))!.Status);

        await directory.DeleteOrgAsync(org, 2);

        Assert.Equal(RecordStatus.Deleted, (await directory.GetRecentAsync(org))!.Status);
    }

    [Fact]
    public async Task WidgetSettings_AndTheOriginIndex_FollowThisInstancesWrites()
    {
        var storage = await StorageAsync();
        var widgets = new WidgetSettingsStore(storage, new IdGenerator(), _clock, new ReadCache(_clock));
        var org = NewOrg();
        var origin = $"https://{Guid.NewGuid():N}.example";
        await widgets.GetOrCreateAsync(org);
        Assert.Equal(20, (await widgets.GetRecentAsync(org))!.ChatRateLimitPerIp);
        Assert.False(await widgets.IsAllowedAnywhereAsync(origin));

        await widgets.UpdateAsync(org, new WidgetSettingsRequest([origin], "Hello", true, ChatRateLimitPerIp: 300));

        Assert.Equal(300, (await widgets.GetRecentAsync(org))!.ChatRateLimitPerIp);
        Assert.True(await widgets.IsAllowedAnywhereAsync(origin));
        await widgets.UpdateAsync(org, new WidgetSettingsRequest([], "Hello", true));
        Assert.False(await widgets.IsAllowedAnywhereAsync(origin));
        Assert.Equal(300, (await widgets.GetRecentAsync(org))!.ChatRateLimitPerIp);
    }
}
