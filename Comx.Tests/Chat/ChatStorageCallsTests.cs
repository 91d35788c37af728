using System.Collections.Concurrent;
using System.Diagnostics;
using Comx.Core.Chat;
using Comx.Core.Identity;
using Comx.Core.Storage;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Chat;

/// <summary>
/// The storage round trips of one chat message (issue 21: at most 10), counted from the HTTP client's activities that
/// belong to the message's own request: the test starts the trace and hands it to the server in <c>traceparent</c>, so
/// other tests running at the same time are not counted. Once the per-instance caches are warm.
/// </summary>
public sealed class ChatStorageCallsTests : IAsyncLifetime, IDisposable
{
    private const string ProbeName = "Comx.Tests.ChatStorageCalls";
    private static readonly ActivitySource Probe = new(ProbeName);
    private readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<string>> _calls = new();
    private readonly ActivityListener _listener;
    private TestApp _app = null!;

    public ChatStorageCallsTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "System.Net.Http" or "Microsoft.AspNetCore" or ProbeName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "System.Net.Http" && _calls.TryGetValue(activity.TraceId, out var calls))
                {
                    calls.Enqueue($"{activity.GetTagItem("http.request.method")} {activity.GetTagItem("url.full")}");
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task OneMessage_WithWarmCaches_MakesAtMostTenStorageRoundTrips()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        var visitor = await org.StartAsync(_app);
        await visitor.AskAsync("What do pupils wear?");

        // The fewest of three: a cache entry that happens to expire during one message costs that message a refresh.
        var counts = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var calls = await CountAsync(visitor.Message("When does the autumn term start?"));
            TestContext.Current.TestOutputHelper?.WriteLine($"message {i}: {calls.Count} round trips\n  " + string.Join("\n  ", calls));
            counts.Add(calls.Count);
        }

        Assert.InRange(counts.Min(), 1, 10);
    }

    [Fact]
    public async Task A_Message_Over_The_Session_Limit_This_Instance_Knows_Makes_Only_The_Session_Read()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        // The school raised its per-IP limit, so the session's own limit (20 a minute) is the one that refuses.
        await _app.Services.GetRequiredService<WidgetSettingsStore>().UpdateAsync(org.Org.OrgId,
            new WidgetSettingsRequest([ChatTestOrg.Origin], "Hello from Hillside!", HandoffEnabled: true, ChatRateLimitPerIp: 600));
        var visitor = await org.StartAsync(_app);
        for (var sent = 0; sent <= 2 * ChatRateLimits.PerSession.Limit; sent++)
        {
            using var response = await _app.Client.SendAsync(visitor.Message("Hello"));
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
            {
                break;
            }
        }

        // The pupil keeps sending: refused again, with no storage call but the session's (and nothing counted).
        var calls = await CountAsync(visitor.Message("When does the autumn term start?"), expectedStatus: 429);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", calls));
        Assert.Contains(StorageNames.Tables.ChatSessions, Assert.Single(calls), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Message_From_An_Address_This_Instance_Knows_Is_Over_Its_Limit_Makes_Only_The_Session_Read()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        var ip = TestSettings.NewIp();
        var first = await org.StartAsync(_app, ip: ip);
        for (var sent = 0; sent <= 2 * ChatRateLimits.PerSession.Limit; sent++)
        {
            using var response = await _app.Client.SendAsync(first.Message("Hello"));
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
            {
                break;
            }
        }

        // Another pupil's session behind the same address (started elsewhere): the address is what refuses now.
        var session = await _app.Services.GetRequiredService<ChatSessionStore>().CreateAsync(org.Org.OrgId, "thr_" + Guid.NewGuid().ToString("N"), null, null, null, null);
        var second = new ChatVisitor(_app, session.Session.SessionId, session.Token, ip);
        var calls = await CountAsync(second.Message("When does the autumn term start?"), expectedStatus: 429);
        Assert.Contains(StorageNames.Tables.ChatSessions, Assert.Single(calls), StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<string>> CountAsync(HttpRequestMessage request, int expectedStatus = 200)
    {
        using var trace = Probe.StartActivity("chat-message", ActivityKind.Client)!;
        var calls = _calls.GetOrAdd(trace.TraceId, _ => new ConcurrentQueue<string>());
        request.Headers.Add("traceparent", trace.Id);
        using var response = await _app.Client.SendAsync(request);
        if (expectedStatus == 200)
        {
            await response.JsonAsync(200);
        }
        else
        {
            Assert.Equal(expectedStatus, (int)response.StatusCode);
        }

        _calls.TryRemove(trace.TraceId, out _);
        return [.. calls];
    }
}
