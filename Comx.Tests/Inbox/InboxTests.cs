using System.Text.Json;
using Comx.Core.Events;
using Comx.Core.Inbox;
using Comx.Tests.Deliveries;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Inbox;

public sealed class InboxTests : IAsyncLifetime
{
    private TestApp _app = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _app = await DeliveryHarness.StartAppAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> NewThreadAsync(string orgId, string text)
    {
        var threadId = "thr_" + Guid.NewGuid().ToString("N");
        var written = await _app.Services.GetRequiredService<ConversationStore>().WriteAsync(orgId, threadId,
            _ => new ThreadWrite([new NewMessage(MessageRole.Visitor, text)], null, []), "ses_" + Guid.NewGuid().ToString("N"), Token);
        Assert.NotNull(written);
        return threadId;
    }

    [Fact]
    public async Task Paging_WhileThreadsAreCreated_NeitherRepeatsNorSkipsThreadsThatExistedAtTheStart()
    {
        var org = await TestOrg.CreateAsync(_app);
        var existing = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            existing.Add(await NewThreadAsync(org.OrgId, $"question {i}"));
        }

        var seen = new List<string>();
        var created = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var path = "/api/org/v1/inbox/threads?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            // New conversations arrive while the inbox is being paged, before and during each request.
            var insert = NewThreadAsync(org.OrgId, $"arrived during page {pages}");
            var page = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, path), Token)).JsonAsync(200);
            created.Add(await insert);
            var data = page.GetProperty("data").EnumerateArray().ToList();
            Assert.True(data.Count <= 2);
            seen.AddRange(data.Select(t => t.GetProperty("thread_id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 50);

        Assert.Null(cursor);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(existing.Except(seen));
        // Newest first: the threads that existed are listed in reverse order of creation.
        Assert.Equal(Enumerable.Reverse(existing), seen.Where(existing.Contains));
    }

    [Fact]
    public async Task ThreadsFilter_ByStatus_AndAnotherOrgsThread_IsNotFound()
    {
        var org = await TestOrg.CreateAsync(_app);
        var other = await TestOrg.CreateAsync(_app);
        var open = await NewThreadAsync(org.OrgId, "hello");
        var resolved = await NewThreadAsync(org.OrgId, "bye");
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{resolved}/resolve"), Token)).JsonAsync(200);

        var onlyResolved = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/inbox/threads?status=resolved"), Token)).JsonAsync(200);
        Assert.Equal([resolved], onlyResolved.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("thread_id").GetString()));
        var bad = await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/inbox/threads?status=closed"), Token);
        await bad.ErrorAsync(400, "COMX_VALIDATION_ERROR");

        await (await _app.Client.SendAsync(other.AsMember(HttpMethod.Get, $"/api/org/v1/inbox/threads/{open}"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(other.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{open}/messages", TestApp.Json(new { text = "hi" })), Token))
            .ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(other.AsMember(HttpMethod.Post, "/api/org/v1/handoffs", TestApp.Json(new { thread_id = open, reason = "x" })), Token))
            .ErrorAsync(404, "COMX_NOT_FOUND");
    }

    [Fact]
    public async Task Handoff_StopsBotAnswers_StaffRepliesReachTheWidget_AndResolveBringsTheBotBack()
    {
        var org = await TestOrg.CreateAsync(_app);
        await using var receiver = await WebhookReceiver.StartAsync();
        await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url, EventTypes.HandoffRequested);
        var widget = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/widget"), Token)).JsonAsync(200);
        var ip = TestSettings.NewIp();
        var session = await (await _app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
            TestApp.Json(new { widget_key = widget.GetProperty("widget_key").GetString() }), ip), Token)).JsonAsync(201);
        var sessionId = session.GetProperty("session_id").GetString()!;
        var token = session.GetProperty("session_token").GetString()!;

        async Task<JsonElement> SendAsync(string message)
        {
            var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/messages", TestApp.Json(new { session_id = sessionId, message }), ip);
            request.Headers.Add("X-Session-Token", token);
            return await (await _app.Client.SendAsync(request, Token)).JsonAsync(200);
        }

        async Task<List<JsonElement>> WidgetMessagesAsync()
        {
            var request = TestApp.Request(HttpMethod.Get, $"/api/public/v1/chat/sessions/{sessionId}/messages", ip: ip);
            request.Headers.Add("X-Session-Token", token);
            return [.. (await (await _app.Client.SendAsync(request, Token)).JsonAsync(200)).GetProperty("data").EnumerateArray()];
        }

        var first = await SendAsync("What time does the office open?");
        Assert.Equal(JsonValueKind.Object, first.GetProperty("answer").ValueKind);
        var threads = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/inbox/threads"), Token)).JsonAsync(200);
        var threadId = threads.GetProperty("data").EnumerateArray().Single().GetProperty("thread_id").GetString()!;

        var handoff = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, "/api/org/v1/handoffs",
            TestApp.Json(new { thread_id = threadId, reason = "Visitor wants a person" })), Token)).JsonAsync(201);
        Assert.Equal("open", handoff.GetProperty("status").GetString());

        var during = await SendAsync("Can someone call me?");
        Assert.Equal(JsonValueKind.Null, during.GetProperty("answer").ValueKind);
        Assert.True(during.GetProperty("handoff_active").GetBoolean());

        var reply = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/messages",
            TestApp.Json(new { text = "Hi, this is Sam from the office. I'll call you at 3pm." })), Token)).JsonAsync(201);
        Assert.Equal(org.MemberUserId, reply.GetProperty("author_id").GetString());

        var seen = await WidgetMessagesAsync();
        Assert.Equal(["visitor", "bot", "visitor", "agent"], seen.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("Hi, this is Sam from the office. I'll call you at 3pm.", seen[^1].GetProperty("text").GetString());
        var after = TestApp.Request(HttpMethod.Get, $"/api/public/v1/chat/sessions/{sessionId}/messages?after={seen[^2].GetProperty("message_id").GetString()}", ip: ip);
        after.Headers.Add("X-Session-Token", token);
        var newOnly = (await (await _app.Client.SendAsync(after, Token)).JsonAsync(200)).GetProperty("data");
        Assert.Equal("agent", newOnly.EnumerateArray().Single().GetProperty("role").GetString());

        var detail = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, $"/api/org/v1/inbox/threads/{threadId}"), Token)).JsonAsync(200);
        Assert.Equal("handoff", detail.GetProperty("status").GetString());
        Assert.Equal("Visitor wants a person", detail.GetProperty("handoff").GetProperty("reason").GetString());

        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/resolve"), Token)).JsonAsync(200);
        var back = await SendAsync("Thanks! One more question: where do I park?");
        Assert.Equal(JsonValueKind.Object, back.GetProperty("answer").ValueKind);

        // handoff.requested went out through the outbox, in the shape the samples endpoint documents.
        await DeliveryHarness.DrainUntilAsync(_app, () => receiver.Requests.Count >= 1);
        using var delivered = JsonDocument.Parse(receiver.Requests.Single().Body);
        Assert.Equal(EventTypes.HandoffRequested, delivered.RootElement.GetProperty("type").GetString());
        Assert.Equal(threadId, delivered.RootElement.GetProperty("data").GetProperty("thread_id").GetString());
        var samples = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/webhooks/samples"), Token)).JsonAsync(200);
        var sample = samples.GetProperty("data").EnumerateArray().Single(s => s.GetProperty("event_type").GetString() == EventTypes.HandoffRequested).GetProperty("body");
        Assert.Equal(sample.EnumerateObject().Select(p => p.Name), delivered.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(sample.GetProperty("data").EnumerateObject().Select(p => p.Name), delivered.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("Hello {{name", "never closed")]
    [InlineData("Hello name}} there", "closes no placeholder")]
    [InlineData("Hello {{ 1st }}", "")]
    [InlineData("Hello {{}}", "")]
    public async Task TemplatePlaceholderErrors_AreFieldErrorsOnBody(string body, string contains)
    {
        var org = await TestOrg.CreateAsync(_app);
        var response = await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, "/api/org/v1/templates", TestApp.Json(new { name = "Greeting", body })), Token);
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("body", error.GetProperty("details").GetProperty("field").GetString());
        Assert.Contains(contains, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_ListsItsVariables()
    {
        var org = await TestOrg.CreateAsync(_app);
        var created = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, "/api/org/v1/templates",
            TestApp.Json(new { name = "Call back", body = "Hi {{ visitor.name }}, we will call {{phone}} about {{visitor.name}}." })), Token)).JsonAsync(201);
        Assert.Equal(["visitor.name", "phone"], created.GetProperty("variables").EnumerateArray().Select(v => v.GetString()));
        var list = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/templates"), Token)).JsonAsync(200);
        Assert.Equal(created.GetProperty("template_id").GetString(), list.GetProperty("data").EnumerateArray().Single().GetProperty("template_id").GetString());
    }
}
