using System.Text.Json;
using Comx.Core.Chat;
using Comx.Core.Events;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Chat;

public sealed class MessageSyncAndFeedbackTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private ChatTestOrg _org = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _org = await ChatTestOrg.CreateAsync(_app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<HttpResponseMessage> SyncAsync(ChatVisitor visitor, string? after)
    {
        var request = TestApp.Request(HttpMethod.Get, $"/api/public/v1/chat/sessions/{visitor.SessionId}/messages" + (after is null ? "" : "?after=" + Uri.EscapeDataString(after)), ip: visitor.Ip);
        request.Headers.Add("X-Session-Token", visitor.Token);
        return await _app.Client.SendAsync(request, Token);
    }

    private async Task<string> ThreadIdAsync(ChatVisitor visitor) =>
        (await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/inbox/threads"), Token)).JsonAsync(200))
            .GetProperty("data").EnumerateArray().Single(t => t.GetProperty("session_id").GetString() == visitor.SessionId).GetProperty("thread_id").GetString()!;

    private static string[] Texts(JsonElement page) => [.. page.GetProperty("data").EnumerateArray().Select(m => $"{m.GetProperty("role").GetString()}: {m.GetProperty("text").GetString()}")];

    [Fact]
    public async Task Cursor_DeliversEveryMessageOnce_StaffRepliesIncluded_InAndOutOfHandoff()
    {
        var visitor = await _org.StartAsync(_app);
        var empty = await (await SyncAsync(visitor, null)).JsonAsync(200);
        Assert.Empty(empty.GetProperty("data").EnumerateArray());
        var cursor = empty.GetProperty("next_after").GetString()!;

        await visitor.AskAsync("What do pupils wear?");
        var first = await (await SyncAsync(visitor, cursor)).JsonAsync(200);
        Assert.Equal(["visitor", "bot"], first.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        cursor = first.GetProperty("next_after").GetString()!;
        Assert.DoesNotContain("msg_", cursor, StringComparison.Ordinal);

        // A staff reply while the thread is open (not handed off) reaches the visitor too.
        var threadId = await ThreadIdAsync(visitor);
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/messages", TestApp.Json(new { text = "Hello from the office." })), Token)).JsonAsync(201);
        var second = await (await SyncAsync(visitor, cursor)).JsonAsync(200);
        Assert.Equal(["agent: Hello from the office."], Texts(second));
        cursor = second.GetProperty("next_after").GetString()!;

        var nothing = await (await SyncAsync(visitor, cursor)).JsonAsync(200);
        Assert.Empty(nothing.GetProperty("data").EnumerateArray());
        Assert.Equal(cursor, nothing.GetProperty("next_after").GetString());

        // Out of handoff again: the bot answers, and the sync carries on from the same cursor.
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/resolve"), Token)).JsonAsync(200);
        await visitor.AskAsync("When are the after-school clubs?");
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/messages", TestApp.Json(new { text = "Anything else?" })), Token)).JsonAsync(201);
        var third = await (await SyncAsync(visitor, cursor)).JsonAsync(200);
        Assert.Equal(["visitor", "bot", "agent"], third.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("role").GetString()));

        var all = await (await SyncAsync(visitor, null)).JsonAsync(200);
        Assert.Equal(6, all.GetProperty("data").GetArrayLength());
        Assert.Equal(third.GetProperty("next_after").GetString(), all.GetProperty("next_after").GetString());
    }

    [Fact]
    public async Task ForgedOrForeignCursor_Is400()
    {
        var visitor = await _org.StartAsync(_app);
        var other = await _org.StartAsync(_app);
        await visitor.AskAsync("What do pupils wear?");
        await other.AskAsync("What do pupils wear?");
        var otherCursor = (await (await SyncAsync(other, null)).JsonAsync(200)).GetProperty("next_after").GetString()!;
        // Well formed, but naming a message that is not in this conversation.
        var forged = MessageCursor.Encode("msg_0000000000aaaaaaaaaaaaaaaaaaaaa");

        foreach (var bad in new[] { "not a cursor!", forged, otherCursor, "msg_0000000000aaaaaaaaaaaaaaaaaaaaa", "djE6eHl6" })
        {
            var error = await (await SyncAsync(visitor, bad)).ErrorAsync(400, "COMX_VALIDATION_ERROR");
            Assert.Equal("after", error.GetProperty("details").GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task Feedback_FromTheSessionThatGotTheAnswer_IsStoredReplacedAndRaisesAnEvent()
    {
        var visitor = await _org.StartAsync(_app);
        var answerId = (await visitor.AskAsync("What do pupils wear?")).GetProperty("answer").GetProperty("answer_id").GetString()!;

        Assert.Equal(204, (int)(await _app.Client.SendAsync(Feedback(visitor, answerId, new { session_id = visitor.SessionId, helpful = true }), Token)).StatusCode);
        var answers = _app.Services.GetRequiredService<AnswerStore>();
        var stored = (await answers.GetAsync(answerId, Token))!.Feedback!;
        Assert.True(stored.Helpful);
        Assert.Null(stored.Comment);

        Assert.Equal(204, (int)(await _app.Client.SendAsync(Feedback(visitor, answerId, new { session_id = visitor.SessionId, helpful = false, comment = "It didn't mention PE kit." }), Token)).StatusCode);
        stored = (await answers.GetAsync(answerId, Token))!.Feedback!;
        Assert.False(stored.Helpful);
        Assert.Equal("It didn't mention PE kit.", stored.Comment);
        Assert.Equal(visitor.SessionId, stored.SessionId);

        var outbox = await _app.Services.GetRequiredService<EventStore>().ListAsync(_org.Org.OrgId, 100, Token);
        var events = outbox.Where(e => e.Type == EventTypes.FeedbackReceived).Select(e => JsonDocument.Parse(e.Json).RootElement.GetProperty("data")).ToList();
        Assert.Equal([false, true], events.Select(e => e.GetProperty("helpful").GetBoolean()).Order());
        Assert.All(events, e => Assert.Equal(answerId, e.GetProperty("answer_id").GetString()));
    }

    [Fact]
    public async Task Feedback_FromAnotherSession_WithABadToken_OrTooLong_IsRefused()
    {
        var visitor = await _org.StartAsync(_app);
        var other = await _org.StartAsync(_app);
        var answerId = (await visitor.AskAsync("What do pupils wear?")).GetProperty("answer").GetProperty("answer_id").GetString()!;

        await (await _app.Client.SendAsync(Feedback(other, answerId, new { session_id = other.SessionId, helpful = false }), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(Feedback(visitor, answerId, new { session_id = visitor.SessionId, helpful = false }, token: "cst_nope"), Token)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        await (await _app.Client.SendAsync(Feedback(visitor, "ans_missing", new { session_id = visitor.SessionId, helpful = false }), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        var tooLong = await (await _app.Client.SendAsync(Feedback(visitor, answerId, new { session_id = visitor.SessionId, helpful = false, comment = new string('x', 1001) }), Token))
            .ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("comment", tooLong.GetProperty("details").GetProperty("field").GetString());
        await (await _app.Client.SendAsync(Feedback(visitor, answerId, new { session_id = visitor.SessionId }), Token)).ErrorAsync(400, "COMX_VALIDATION_ERROR");

        Assert.Null((await _app.Services.GetRequiredService<AnswerStore>().GetAsync(answerId, Token))!.Feedback);
    }

    private static HttpRequestMessage Feedback(ChatVisitor visitor, string answerId, object body, string? token = null)
    {
        var request = TestApp.Request(HttpMethod.Post, $"/api/public/v1/answers/{answerId}/feedback", TestApp.Json(body), visitor.Ip);
        request.Headers.Add("X-Session-Token", token ?? visitor.Token);
        request.Headers.Add("Origin", ChatTestOrg.Origin);
        return request;
    }

    [Fact]
    public async Task Assign_SetsAndClearsTheAssignee_OnlyToMembers_AndOnlyInTheOrg()
    {
        var visitor = await _org.StartAsync(_app);
        await visitor.AskAsync("What do pupils wear?");
        var threadId = await ThreadIdAsync(visitor);
        var path = $"/api/org/v1/inbox/threads/{threadId}/assign";

        var assigned = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, path, TestApp.Json(new { user_id = _org.Org.AdminUserId })), Token)).JsonAsync(200);
        Assert.Equal(_org.Org.AdminUserId, assigned.GetProperty("assignee_user_id").GetString());
        Assert.Equal(threadId, assigned.GetProperty("thread_id").GetString());
        var detail = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Get, $"/api/org/v1/inbox/threads/{threadId}"), Token)).JsonAsync(200);
        Assert.Equal(_org.Org.AdminUserId, detail.GetProperty("assignee_user_id").GetString());

        var stranger = await TestOrg.CreateAsync(_app);
        var notMember = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, path, TestApp.Json(new { user_id = stranger.AdminUserId })), Token))
            .ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("user_id", notMember.GetProperty("details").GetProperty("field").GetString());
        await (await _app.Client.SendAsync(stranger.AsAdmin(HttpMethod.Post, path, TestApp.Json(new { user_id = stranger.AdminUserId })), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(TestApp.Request(HttpMethod.Post, path, TestApp.Json(new { user_id = (string?)null })), Token)).ErrorAsync(401, "COMX_UNAUTHENTICATED");

        var cleared = await (await _app.Client.SendAsync(_org.Org.AsKey(HttpMethod.Post, path, TestApp.Json(new { user_id = (string?)null })), Token)).JsonAsync(200);
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("assignee_user_id").ValueKind);
        Assert.Equal("open", cleared.GetProperty("status").GetString());
    }
}
