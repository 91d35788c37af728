using System.Globalization;
using System.Text.Json;
using Comx.Core.Events;
using Comx.Core.Identity;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Chat;

public sealed class VisitorHandoffTests : IAsyncLifetime
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

    internal static HttpRequestMessage Handoff(ChatVisitor visitor, object? body = null, string? token = null, string? idempotencyKey = null)
    {
        var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/handoffs", TestApp.Json(body ?? new { session_id = visitor.SessionId }), visitor.Ip);
        request.Headers.Add("X-Session-Token", token ?? visitor.Token);
        request.Headers.Add("Origin", ChatTestOrg.Origin);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    private async Task<JsonElement> ThreadAsync(string threadId) =>
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Get, $"/api/org/v1/inbox/threads/{threadId}"), Token)).JsonAsync(200);

    private async Task SetWidgetAsync(ChatTestOrg org, BusinessHours? hours, string? away = null, bool handoff = true) =>
        await _app.Services.GetRequiredService<WidgetSettingsStore>().UpdateAsync(org.Org.OrgId,
            new WidgetSettingsRequest([ChatTestOrg.Origin], "Hello from Hillside!", handoff, BusinessHours: hours, AwayMessage: away), Token);

    private async Task<IReadOnlyList<JsonElement>> HandoffEventsAsync(string orgId)
    {
        var outbox = await _app.Services.GetRequiredService<EventStore>().ListAsync(orgId, 100, Token);
        return [.. outbox.Where(e => e.Type == EventTypes.HandoffRequested).Select(e => JsonDocument.Parse(e.Json).RootElement.GetProperty("data"))];
    }

    [Fact]
    public async Task VisitorAsksForAPerson_ThreadIsHandedOff_EventSaysVisitor_AndASecondRequestReturnsTheSameHandoff()
    {
        var visitor = await _org.StartAsync(_app);
        await visitor.AskAsync("What do pupils wear?");

        var response = await _app.Client.SendAsync(Handoff(visitor, new { session_id = visitor.SessionId, reason = "I need to talk about my child's uniform grant" }), Token);
        var handoff = await response.JsonAsync(201);
        var handoffId = handoff.GetProperty("handoff_id").GetString()!;
        var threadId = handoff.GetProperty("thread_id").GetString()!;
        Assert.StartsWith("hof_", handoffId, StringComparison.Ordinal);
        Assert.StartsWith("thr_", threadId, StringComparison.Ordinal);
        Assert.Equal("open", handoff.GetProperty("status").GetString());
        Assert.True(handoff.GetProperty("staff_available").GetBoolean());
        Assert.Contains("member of staff", handoff.GetProperty("message").GetString(), StringComparison.Ordinal);

        var thread = await ThreadAsync(threadId);
        Assert.Equal("handoff", thread.GetProperty("status").GetString());
        Assert.Equal(visitor.SessionId, thread.GetProperty("session_id").GetString());
        Assert.Equal("visitor", thread.GetProperty("handoff").GetProperty("requested_by").GetString());

        var again = await (await _app.Client.SendAsync(Handoff(visitor), Token)).JsonAsync(200);
        Assert.Equal(handoffId, again.GetProperty("handoff_id").GetString());
        Assert.Equal(threadId, again.GetProperty("thread_id").GetString());

        var data = Assert.Single(await HandoffEventsAsync(_org.Org.OrgId));
        Assert.Equal(handoffId, data.GetProperty("handoff_id").GetString());
        Assert.Equal(threadId, data.GetProperty("thread_id").GetString());
        Assert.Equal(visitor.SessionId, data.GetProperty("session_id").GetString());
        Assert.Equal("I need to talk about my child's uniform grant", data.GetProperty("reason").GetString());
        Assert.Equal("visitor", data.GetProperty("requested_by").GetString());

        var paused = await visitor.AskAsync("Are you there?");
        Assert.Equal(JsonValueKind.Null, paused.GetProperty("answer").ValueKind);
        Assert.True(paused.GetProperty("handoff_active").GetBoolean());
    }

    [Fact]
    public async Task HandoffBeforeAnyMessage_StartsTheThread_AndStaffRouteEventSaysStaff()
    {
        var visitor = await _org.StartAsync(_app);
        var handoff = await (await _app.Client.SendAsync(Handoff(visitor), Token)).JsonAsync(201);
        var thread = await ThreadAsync(handoff.GetProperty("thread_id").GetString()!);
        Assert.Equal("handoff", thread.GetProperty("status").GetString());
        Assert.Equal(0, thread.GetProperty("message_count").GetInt32());

        var other = await _org.StartAsync(_app);
        await other.AskAsync("What do pupils wear?");
        var otherThread = (await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/inbox/threads"), Token)).JsonAsync(200))
            .GetProperty("data").EnumerateArray().Single(t => t.GetProperty("session_id").GetString() == other.SessionId).GetProperty("thread_id").GetString();
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, "/api/org/v1/handoffs", TestApp.Json(new { thread_id = otherThread, reason = "call back" })), Token)).JsonAsync(201);

        var events = await HandoffEventsAsync(_org.Org.OrgId);
        Assert.Equal(["staff", "visitor"], events.Select(e => e.GetProperty("requested_by").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(_org.Org.MemberUserId, events.Single(e => e.GetProperty("requested_by").GetString() == "staff").GetProperty("requested_by_user_id").GetString());
    }

    [Fact]
    public async Task HandoffTurnedOff_Returns403WithReason_AndChangesNothing()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        await SetWidgetAsync(org, null, handoff: false);
        var visitor = await org.StartAsync(_app);
        await visitor.AskAsync("What do pupils wear?");

        var error = await (await _app.Client.SendAsync(Handoff(visitor), Token)).ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.Equal("handoff_disabled", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Empty(await HandoffEventsAsync(org.Org.OrgId));
        Assert.NotEqual(JsonValueKind.Null, (await visitor.AskAsync("What do pupils wear?")).GetProperty("answer").ValueKind);
    }

    [Fact]
    public async Task WrongToken_AnotherSessionsToken_AndBadBodies_AreRefused()
    {
        var visitor = await _org.StartAsync(_app);
        var other = await _org.StartAsync(_app);
        await (await _app.Client.SendAsync(Handoff(visitor, token: "cst_wrong"), Token)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        await (await _app.Client.SendAsync(Handoff(visitor, token: other.Token), Token)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        var missing = await (await _app.Client.SendAsync(Handoff(visitor, new { reason = "hi" }), Token)).ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("session_id", missing.GetProperty("details").GetProperty("field").GetString());
        var longReason = await (await _app.Client.SendAsync(Handoff(visitor, new { session_id = visitor.SessionId, reason = new string('x', 1001) }), Token))
            .ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("reason", longReason.GetProperty("details").GetProperty("field").GetString());
        Assert.Empty(await HandoffEventsAsync(_org.Org.OrgId));
    }

    [Fact]
    public async Task SameIdempotencyKey_ReplaysTheFirstResponse()
    {
        var visitor = await _org.StartAsync(_app);
        var key = "hof-" + Guid.NewGuid().ToString("N");
        var first = await _app.Client.SendAsync(Handoff(visitor, idempotencyKey: key), Token);
        var body = await first.JsonAsync(201);
        var second = await _app.Client.SendAsync(Handoff(visitor, idempotencyKey: key), Token);
        Assert.Equal(body.GetProperty("handoff_id").GetString(), (await second.JsonAsync(201)).GetProperty("handoff_id").GetString());
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Single(await HandoffEventsAsync(_org.Org.OrgId));
    }

    [Fact]
    public async Task OutsideBusinessHours_HandoffSaysWhenStaffAreBack_AndOffersTheEnquiryForm()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var londonToday = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).Date;
        var openDay = londonToday.AddDays(2);
        var key = openDay.DayOfWeek.ToString()[..3].ToLowerInvariant();
        await SetWidgetAsync(org, new BusinessHours("Europe/London", new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>> { [key] = [["09:00", "10:00"]] }),
            "The office is closed.");
        var visitor = await org.StartAsync(_app);

        var handoff = await (await _app.Client.SendAsync(Handoff(visitor), Token)).JsonAsync(201);
        Assert.False(handoff.GetProperty("staff_available").GetBoolean());
        var message = handoff.GetProperty("message").GetString()!;
        Assert.StartsWith("The office is closed.", message, StringComparison.Ordinal);
        Assert.Contains($"Staff are back on {openDay.ToString("dddd d MMMM", CultureInfo.InvariantCulture)} at 09:00 (Europe/London time).", message, StringComparison.Ordinal);
        Assert.Contains("enquiry form", message, StringComparison.Ordinal);

        var config = await WidgetConfigAsync(org);
        Assert.False(config.GetProperty("staff_available").GetBoolean());
        Assert.Equal(message, config.GetProperty("away_message").GetString());
    }

    [Fact]
    public async Task InsideBusinessHours_StaffAreAvailable()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        IReadOnlyList<IReadOnlyList<string>> allDay = [["00:00", "24:00"]];
        await SetWidgetAsync(org, new BusinessHours("Europe/London",
            new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" }.ToDictionary(d => d, _ => allDay)), "Away");
        var visitor = await org.StartAsync(_app);
        var handoff = await (await _app.Client.SendAsync(Handoff(visitor), Token)).JsonAsync(201);
        Assert.True(handoff.GetProperty("staff_available").GetBoolean());
        var config = await WidgetConfigAsync(org);
        Assert.True(config.GetProperty("staff_available").GetBoolean());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("away_message").ValueKind);
    }

    private async Task<JsonElement> WidgetConfigAsync(ChatTestOrg org)
    {
        var request = TestApp.Request(HttpMethod.Get, "/api/public/v1/widget-config?widget_key=" + org.WidgetKey, ip: TestSettings.NewIp());
        request.Headers.Add("Origin", ChatTestOrg.Origin);
        return await (await _app.Client.SendAsync(request, Token)).JsonAsync(200);
    }

    [Fact]
    public async Task WidgetSettings_StoreBusinessHoursAndAwayMessage_AndRefuseBadOnes()
    {
        var org = await TestOrg.CreateAsync(_app);
        var hours = new { timezone = "Europe/London", days = new Dictionary<string, string[][]> { ["mon"] = [["08:30", "16:00"]], ["fri"] = [["08:30", "12:00"], ["13:00", "15:30"]] } };
        var put = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget", TestApp.Json(new
        {
            allowed_origins = new[] { ChatTestOrg.Origin }, greeting = "Hi", handoff_enabled = true, business_hours = hours, away_message = "We're out.",
        })), Token)).JsonAsync(200);
        Assert.Equal("Europe/London", put.GetProperty("business_hours").GetProperty("timezone").GetString());
        var got = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/widget"), Token)).JsonAsync(200);
        Assert.Equal("13:00", got.GetProperty("business_hours").GetProperty("days").GetProperty("fri")[1][0].GetString());
        Assert.Equal("We're out.", got.GetProperty("away_message").GetString());

        (object Hours, string Field)[] bad =
        [
            (new { timezone = "Mars/Olympus_Mons", days = new Dictionary<string, string[][]>() }, "business_hours.timezone"),
            (new { timezone = "GMT Standard Time", days = new Dictionary<string, string[][]>() }, "business_hours.timezone"),
            (new { timezone = "Europe/London", days = new Dictionary<string, string[][]> { ["mon"] = [["25:00", "26:00"]] } }, "business_hours.days.mon[0]"),
            (new { timezone = "Europe/London", days = new Dictionary<string, string[][]> { ["tue"] = [["16:00", "08:30"]] } }, "business_hours.days.tue[0]"),
            (new { timezone = "Europe/London", days = new Dictionary<string, string[][]> { ["wed"] = [["8:30", "16:00"]] } }, "business_hours.days.wed[0]"),
            (new { timezone = "Europe/London", days = new Dictionary<string, string[][]> { ["thu"] = [["08:00", "12:00"], ["11:00", "13:00"]] } }, "business_hours.days.thu[1]"),
            (new { timezone = "Europe/London", days = new Dictionary<string, string[][]> { ["funday"] = [["08:00", "12:00"]] } }, "business_hours.days"),
        ];
        foreach (var (badHours, field) in bad)
        {
            var response = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget", TestApp.Json(new
            {
                allowed_origins = new[] { ChatTestOrg.Origin }, greeting = "Hi", handoff_enabled = true, business_hours = badHours,
            })), Token);
            Assert.Equal(field, (await response.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());
        }

        var unchanged = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/widget"), Token)).JsonAsync(200);
        Assert.Equal("We're out.", unchanged.GetProperty("away_message").GetString());
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Put, "/api/org/v1/widget", TestApp.Json(new
        {
            allowed_origins = new[] { ChatTestOrg.Origin }, greeting = "Hi", handoff_enabled = true,
        })), Token)).ErrorAsync(403, "COMX_FORBIDDEN");
    }
}
