using Comx.Core.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Storage;

public sealed class ReadCacheTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task WithinTheStaleness_ServesTheFirstRead_ThenReadsAgain()
    {
        var cache = new ReadCache(_clock);
        var loads = 0;
        Task<int> Load(CancellationToken _) => Task.FromResult(++loads);

        Assert.Equal(1, await cache.GetOrLoadAsync("widget", "org_a", Load));
        _clock.Advance(ReadCache.Staleness - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await cache.GetOrLoadAsync("widget", "org_a", Load));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await cache.GetOrLoadAsync("widget", "org_a", Load));
    }

    [Fact]
    public async Task Invalidate_MakesTheNextReadFresh_AndTouchesOnlyThatKey()
    {
        var cache = new ReadCache(_clock);
        var loads = 0;
        Task<int> Load(CancellationToken _) => Task.FromResult(++loads);
        await cache.GetOrLoadAsync("widget", "org_a", Load);
        await cache.GetOrLoadAsync("org", "org_a", Load);

        cache.Invalidate("widget", "org_a");

        Assert.Equal(3, await cache.GetOrLoadAsync("widget", "org_a", Load));
        Assert.Equal(2, await cache.GetOrLoadAsync("org", "org_a", Load));
    }

    [Fact]
    public async Task ConcurrentMisses_ShareOneRead()
    {
        var cache = new ReadCache(_clock);
        var loads = 0;
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            return gate.Task;
        }

        var readers = Enumerable.Range(0, 20).Select(_ => cache.GetOrLoadAsync("policy", "org_a", Load)).ToList();
        gate.SetResult("policy v1");

        Assert.All(await Task.WhenAll(readers), value => Assert.Equal("policy v1", value));
        Assert.Equal(1, loads);
    }

    [Fact]
    public async Task FailedRead_IsNotKept()
    {
        var cache = new ReadCache(_clock);
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrLoadAsync<int>("org", "org_a", _ => throw new InvalidOperationException("storage down")));

        Assert.Equal(7, await cache.GetOrLoadAsync("org", "org_a", _ => Task.FromResult(7)));
    }
}
