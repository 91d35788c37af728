using System.Text.Json;
using Azure.Storage.Queues.Models;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Jobs;
using Comx.Core.Knowledge;
using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Knowledge;

/// <summary>
/// Drives sources and jobs through the app's real HTTP routes, and runs queue jobs and timers as the hosts do
/// (<see cref="ComxJobs"/> with the message the API enqueued), without draining the queue other tests share.
/// </summary>
public sealed class IngestDriver(TestApp app, TestOrg org)
{
    public TestApp App => app;

    public TestOrg Org => org;

    public async Task<JsonElement> CreateSourceAsync(object body)
    {
        using var response = await app.Client.SendAsync(org.AsKey(HttpMethod.Post, "/api/org/v1/sources", TestApp.Json(body)));
        return await response.JsonAsync(201);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, object body) =>
        await app.Client.SendAsync(org.AsKey(HttpMethod.Post, path, TestApp.Json(body)));

    public async Task<HttpResponseMessage> GetAsync(string path) => await app.Client.SendAsync(org.AsKey(HttpMethod.Get, path));

    public async Task<JsonElement> StartJobAsync(string sourceId)
    {
        using var response = await PostAsync("/api/org/v1/ingest-jobs", new { source_id = sourceId });
        return await response.JsonAsync(202);
    }

    public async Task<JsonElement> JobAsync(string jobId)
    {
        using var response = await GetAsync($"/api/org/v1/ingest-jobs/{jobId}");
        return await response.JsonAsync(200);
    }

    public async Task<JsonElement> HealthAsync(string sourceId)
    {
        using var response = await GetAsync($"/api/org/v1/sources/{sourceId}/health");
        return await response.JsonAsync(200);
    }

    /// <summary>Runs the queue job for <paramref name="jobId"/> exactly as a queue trigger would deliver the API's message.</summary>
    public Task RunJobAsync(string jobId, long dequeueCount = 1) => RunJobAsync(app, org.OrgId, jobId, dequeueCount);

    public static Task RunJobAsync(TestApp app, string orgId, string jobId, long dequeueCount = 1)
    {
        ArgumentNullException.ThrowIfNull(app);
        var body = BinaryData.FromString(ComxJson.Serialize(IngestJobMessage.For(orgId, jobId)));
        var message = QueuesModelFactory.QueueMessage("msg-" + Guid.NewGuid().ToString("N"), "pop", body, dequeueCount);
        return app.Services.GetRequiredService<ComxJobs>().RunQueueJobAsync(JobNames.RunIngestJob, message, CancellationToken.None);
    }

    /// <summary>Creates a source, runs its first job, and returns the source id once the job has succeeded.</summary>
    public async Task<string> IngestAsync(object body)
    {
        var created = await CreateSourceAsync(body);
        var jobId = created.GetProperty("job_id").GetString()!;
        await RunJobAsync(jobId);
        var job = await JobAsync(jobId);
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
        return created.GetProperty("source_id").GetString()!;
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string query, int top = 3) =>
        (await app.Services.GetRequiredService<RetrievalIndexStore>().GetAsync(org.OrgId)).Search(query, top);

    /// <summary>Asks through a widget session (POST /api/public/v1/chat/messages) and returns the answer object.</summary>
    public async Task<JsonElement> AskAsync(string question)
    {
        var widget = await app.Services.GetRequiredService<WidgetSettingsStore>().GetOrCreateAsync(org.OrgId);
        var ip = TestSettings.NewIp();
        using var sessionResponse = await app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
            TestApp.Json(new { widget_key = widget.WidgetKey }), ip));
        var session = await sessionResponse.JsonAsync(201);
        var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/messages",
            TestApp.Json(new { session_id = session.GetProperty("session_id").GetString(), message = question }), ip);
        request.Headers.Add("X-Session-Token", session.GetProperty("session_token").GetString());
        using var response = await app.Client.SendAsync(request);
        return (await response.JsonAsync(200)).GetProperty("answer");
    }

    public static IReadOnlyList<string> CitedSources(JsonElement answer) =>
        [.. answer.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("source_id").GetString()!)];
}
