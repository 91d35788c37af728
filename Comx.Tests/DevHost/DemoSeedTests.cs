using Comx.Core.Knowledge;
using Comx.Core.Knowledge.Retrieval;
using Comx.DevHost;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.DevHost;

/// <summary>The DevHost's demo seed, against Azurite, under its own org id so a running DevHost's demo key is left alone.</summary>
public sealed class DemoSeedTests
{
    private static Task<TestApp> StartAsync(string orgId) => TestApp.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Comx:DevHost:SeedDemo"] = "true",
        ["Comx:DevHost:DemoOrgId"] = orgId,
    });

    private static async Task<HttpResponseMessage> ListSourcesAsync(TestApp app, string apiKey)
    {
        var request = TestApp.Request(HttpMethod.Get, "/api/org/v1/sources", ip: TestSettings.NewIp());
        request.Bearer(apiKey);
        return await app.Client.SendAsync(request);
    }

    [Fact]
    public async Task SeedDemo_TwoStarts_OneIngestedSourceAndOnlyTheLatestKeyWorks()
    {
        var orgId = "org_demo_" + Guid.NewGuid().ToString("N")[..12];
        DemoSeedResult first;
        await using (var app = await StartAsync(orgId))
        {
            first = app.Services.GetRequiredService<DemoSeed>().Result!;
            Assert.Equal(IngestJobStatus.Succeeded, first.JobStatus);
            var hits = (await app.Services.GetRequiredService<RetrievalIndexStore>().GetAsync(orgId)).Search("What colour is the school uniform?", 3);
            Assert.Contains("royal blue sweatshirt", hits[0].Chunk.Text, StringComparison.Ordinal);
        }

        await using var restarted = await StartAsync(orgId);
        var second = restarted.Services.GetRequiredService<DemoSeed>().Result!;

        Assert.Equal(first.SourceId, second.SourceId);
        Assert.Equal(first.WidgetKey, second.WidgetKey);
        Assert.Equal(IngestJobStatus.Succeeded, second.JobStatus);
        using var listed = await ListSourcesAsync(restarted, second.ApiKey);
        var sources = (await listed.JsonAsync(200)).GetProperty("data").EnumerateArray().ToList();
        var source = Assert.Single(sources);
        Assert.Equal("healthy", source.GetProperty("status").GetString());
        Assert.True(source.GetProperty("chunk_count").GetInt32() >= 6);
        using var oldKey = await ListSourcesAsync(restarted, first.ApiKey);
        await oldKey.ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }
}
