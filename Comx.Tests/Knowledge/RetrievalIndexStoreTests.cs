using Comx.Core.Knowledge.Retrieval;
using Comx.Core.Storage;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Knowledge;

/// <summary>Against Azurite. Each test uses its own org id; each "host" is its own store over its own storage clients.</summary>
public sealed class RetrievalIndexStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private static async Task<ComxStorage> StorageAsync()
    {
        var storage = TestSettings.Storage();
        await storage.EnsureCreatedAsync();
        return storage;
    }

    private static async Task<RetrievalIndexStore> HostAsync() => new(await StorageAsync(), TimeProvider.System);

    private static string NewOrg() => "org_" + Guid.NewGuid().ToString("N");

    private static Bm25Index Index(params string[] texts) =>
        Bm25Index.Build(texts.Select((text, i) => new IndexedChunk($"chk_{i}", "src_1", "Club news", null, null, text)));

    private static async Task<List<string>> BlobsAsync(ComxStorage storage, string org)
    {
        var names = new List<string>();
        await foreach (var blob in storage.Container(StorageNames.Containers.RetrievalIndex).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, org + "/", CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    [Fact]
    public async Task GetAsync_OrgThatNeverPublished_ReturnsTheEmptyIndex()
    {
        var store = await HostAsync();

        var index = await store.GetAsync(NewOrg());

        Assert.Same(Bm25Index.Empty, index);
        Assert.Equal(0, store.LoadCount);
    }

    [Fact]
    public async Task PublishThenGet_RoundTripsTheIndexThroughBlobStorage()
    {
        var org = NewOrg();
        var corpus = RetrievalCorpus.Load();
        var built = Bm25Index.Build(corpus.ChunksOf("oakfield"));
        var publisher = await HostAsync();
        var reader = await HostAsync();

        var publication = await publisher.PublishAsync(org, built);
        var loaded = await reader.GetAsync(org);

        Assert.True(publication.IsCurrent);
        Assert.Equal([$"{org}/{publication.Version}.bm25"], await BlobsAsync(await StorageAsync(), org));
        Assert.Equal(built.Chunks, loaded.Chunks);
        foreach (var question in corpus.Questions.Where(q => q.Org == "oakfield"))
        {
            Assert.Equal(built.Search(question.Question, 5), loaded.Search(question.Question, 5));
        }
    }

    [Fact]
    public async Task GetAsync_SameVersion_LoadsTheBlobOncePerInstance()
    {
        var org = NewOrg();
        await (await HostAsync()).PublishAsync(org, Index("Netball club meets on Tuesdays."));
        var store = await HostAsync();

        var first = await store.GetAsync(org);
        var second = await store.GetAsync(org);

        Assert.Same(first, second);
        Assert.Equal(1, store.LoadCount);
    }

    [Fact]
    public async Task GetAsync_ConcurrentCallersOnAColdInstance_ShareOneLoad()
    {
        var org = NewOrg();
        await (await HostAsync()).PublishAsync(org, Bm25Index.Build(RetrievalCorpus.Load().Chunks));
        var store = await HostAsync();

        var indexes = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => Task.Run(() => store.GetAsync(org))));

        Assert.All(indexes, index => Assert.Same(indexes[0], index));
        Assert.Equal(1, store.LoadCount);
    }

    [Fact]
    public async Task TwoHosts_SecondAnswersFromNewContentAsSoonAsTheFirstPublishes()
    {
        var org = NewOrg();
        var hostA = await HostAsync();
        var hostB = await HostAsync();

        await hostA.PublishAsync(org, Index("Netball club meets on Tuesdays in the sports hall."));
        var before = await hostB.GetAsync(org);
        Assert.Single(before.Search("netball", 5));
        Assert.Empty(before.Search("chess", 5));

        await hostA.PublishAsync(org, Index("Netball club meets on Tuesdays in the sports hall.", "Chess club meets on Thursdays in the library."));
        var after = await hostB.GetAsync(org);

        Assert.Equal("Chess club meets on Thursdays in the library.", Assert.Single(after.Search("chess", 5)).Chunk.Text);
        Assert.Equal(2, hostB.LoadCount);
        // The index host B was already holding is unchanged: an answer in progress is not disturbed.
        Assert.Empty(before.Search("chess", 5));
    }

    [Fact]
    public async Task PublishAsync_OlderContentAfterNewer_DoesNotMoveTheStampBack()
    {
        var org = NewOrg();
        var fastJob = await HostAsync();
        var slowJob = await HostAsync();

        // The slow job began reading chunks first (T0) but finishes after the job that began a minute later.
        var newer = await fastJob.PublishAsync(org, Index("Chess club on Thursdays."), T0.AddMinutes(1));
        var older = await slowJob.PublishAsync(org, Index("Netball club on Tuesdays."), T0);

        Assert.True(newer.IsCurrent);
        Assert.False(older.IsCurrent);
        Assert.Single((await (await HostAsync()).GetAsync(org)).Search("chess", 5));
        Assert.Equal([$"{org}/{newer.Version}.bm25"], await BlobsAsync(await StorageAsync(), org));
    }

    [Fact]
    public async Task PublishAsync_EqualContentTimes_TheLaterPublishWins()
    {
        var org = NewOrg();
        var store = await HostAsync();

        await store.PublishAsync(org, Index("Netball club on Tuesdays."), T0);
        var second = await store.PublishAsync(org, Index("Chess club on Thursdays."), T0);

        Assert.True(second.IsCurrent);
        Assert.Single((await store.GetAsync(org)).Search("chess", 5));
    }

    [Fact]
    public async Task PublishAsync_AfterANewerVersion_DeletesOlderBlobsButKeepsThePreviousOne()
    {
        var org = NewOrg();
        var store = await HostAsync();

        var first = await store.PublishAsync(org, Index("one"), T0);
        var second = await store.PublishAsync(org, Index("two"), T0.AddMinutes(1));
        var third = await store.PublishAsync(org, Index("three"), T0.AddMinutes(2));

        var blobs = await BlobsAsync(await StorageAsync(), org);
        Assert.Equal([$"{org}/{second.Version}.bm25", $"{org}/{third.Version}.bm25"], blobs.Order(StringComparer.Ordinal));
        Assert.DoesNotContain($"{org}/{first.Version}.bm25", blobs);
    }

    [Fact]
    public async Task PublishAsync_ConcurrentJobs_TheNewestContentEndsUpCurrent()
    {
        var org = NewOrg();
        var hosts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => HostAsync()));

        var publications = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            hosts[i % hosts.Length].PublishAsync(org, Index($"Club number {i} meets weekly."), T0.AddSeconds(i)))));

        var current = await (await HostAsync()).GetAsync(org);
        Assert.Equal("Club number 7 meets weekly.", current.Chunks.Single().Text);
        Assert.True(publications[7].IsCurrent);
        var blobs = await BlobsAsync(await StorageAsync(), org);
        Assert.Contains($"{org}/{publications[7].Version}.bm25", blobs);
        Assert.InRange(blobs.Count, 1, 2);
    }

    [Fact]
    public async Task GetAsync_BlobOfTheCurrentVersionIsMissing_FailsAndRetriesOnTheNextCall()
    {
        var org = NewOrg();
        var storage = await StorageAsync();
        var publisher = new RetrievalIndexStore(storage, TimeProvider.System);
        var publication = await publisher.PublishAsync(org, Index("Netball club on Tuesdays."));
        var blob = storage.Container(StorageNames.Containers.RetrievalIndex).GetBlobClient($"{org}/{publication.Version}.bm25");
        var saved = (await blob.DownloadContentAsync()).Value.Content;
        await blob.DeleteAsync();
        var reader = await HostAsync();

        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => reader.GetAsync(org));
        await blob.UploadAsync(saved);

        Assert.Single((await reader.GetAsync(org)).Search("netball", 5));
    }

    [Fact]
    public async Task GetAsync_IndexUnusedForHalfAnHour_IsDroppedAndReloadedOnTheNextCall()
    {
        var org = NewOrg();
        var storage = await StorageAsync();
        await new RetrievalIndexStore(storage, TimeProvider.System).PublishAsync(org, Index("Netball club on Tuesdays."));
        var clock = new FakeTimeProvider(T0);
        var store = new RetrievalIndexStore(storage, clock);

        var first = await store.GetAsync(org);
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Same(first, await store.GetAsync(org));
        clock.Advance(TimeSpan.FromMinutes(31));
        var reloaded = await store.GetAsync(org);

        Assert.NotSame(first, reloaded);
        Assert.Equal(2, store.LoadCount);
    }

    [Fact]
    public async Task Registration_AsASingleton_ResolvesWithValidation()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(await StorageAsync())
            .AddSingleton<RetrievalIndexStore>();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Same(provider.GetRequiredService<RetrievalIndexStore>(), provider.GetRequiredService<RetrievalIndexStore>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("org/../other")]
    [InlineData("org#1")]
    public async Task InvalidOrgIds_AreRefused(string org)
    {
        var store = await HostAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(org));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PublishAsync(org, Bm25Index.Empty));
    }
}
