using System.Text.Json;
using Comx.Core.Deliveries;
using Comx.Core.Events;
using Comx.Core.Safeguarding;
using Comx.Tests.Chat;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Safeguarding;

/// <summary>
/// What an escalation does over real HTTP and storage: the thread is flagged and handed to staff with the category,
/// one typed <c>safeguarding.alert</c> names the message without its words, and the child is told only what is true.
/// </summary>
public sealed class EscalationTests
{
    [Fact]
    public async Task WithoutNotifications_TheReplyPromisesNothing_AndTheThreadIsHandedToStaff()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app);
        var visitor = await org.StartAsync(app);

        var reply = await visitor.AskAsync("i swallowed a load of tablets yesterday");

        Assert.True(reply.GetProperty("safeguarding").GetProperty("escalated").GetBoolean());
        Assert.True(reply.GetProperty("handoff_active").GetBoolean());
        var text = reply.GetProperty("answer").GetProperty("text").GetString()!;
        Assert.Contains(SafeguardingReply.NotNotifiedSentence, text, StringComparison.Ordinal);
        Assert.DoesNotContain("passed this on", text, StringComparison.Ordinal);
        Assert.DoesNotContain("alerted", text, StringComparison.OrdinalIgnoreCase);
        AssertSignposting(text);

        var (thread, alert) = await ThreadAndAlertAsync(app, org, visitor);
        Assert.Equal("handoff", thread.GetProperty("status").GetString());
        Assert.True(thread.GetProperty("safeguarding_flag").GetBoolean());
        Assert.Equal("safeguarding: self_harm", thread.GetProperty("handoff").GetProperty("reason").GetString());
        Assert.Equal("safeguarding", thread.GetProperty("handoff").GetProperty("requested_by").GetString());

        var visitorMessage = thread.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("role").GetString() == "visitor");
        Assert.Equal(thread.GetProperty("thread_id").GetString(), alert.GetProperty("thread_id").GetString());
        Assert.Equal(visitor.SessionId, alert.GetProperty("session_id").GetString());
        Assert.Equal(visitorMessage.GetProperty("message_id").GetString(), alert.GetProperty("message_id").GetString());
        Assert.Equal("self_harm", alert.GetProperty("category").GetString());
        Assert.Equal("patterns", alert.GetProperty("detected_by").GetString());
        Assert.DoesNotContain("tablets", alert.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAnActiveSafeguardingWebhook_TheReplySaysSomeoneWillSeeIt()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app);
        await app.Services.GetRequiredService<WebhookStore>().CreateAsync(org.Org.OrgId, "https://hooks.hillside.example/safeguarding",
            [EventTypes.SafeguardingAlert], "test", TestContext.Current.CancellationToken);
        var visitor = await org.StartAsync(app);

        var text = (await visitor.AskAsync("my dad hits my mum when he's drunk")).GetProperty("answer").GetProperty("text").GetString()!;

        Assert.Contains(SafeguardingReply.NotifiedSentence, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SafeguardingReply.NotNotifiedSentence, text, StringComparison.Ordinal);
        AssertSignposting(text);
        var (_, alert) = await ThreadAndAlertAsync(app, org, visitor);
        Assert.Equal("domestic_abuse", alert.GetProperty("category").GetString());
    }

    [Fact]
    public async Task WithSmtpAndAContact_TheReplySaysSomeoneWillSeeIt_ButSmtpAloneDoesNot()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Comx:Smtp:Host"] = "127.0.0.1", ["Comx:Smtp:From"] = "comxbot@hillside.example" });
        var org = await ChatTestOrg.CreateAsync(app);

        var first = await org.StartAsync(app);
        var unnamed = (await first.AskAsync("there's never any food at home")).GetProperty("answer").GetProperty("text").GetString()!;
        Assert.Contains(SafeguardingReply.NotNotifiedSentence, unnamed, StringComparison.Ordinal);

        await (await app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/safeguarding", TestApp.Json(new
        {
            blocked_terms = Array.Empty<string>(), escalation_terms = Array.Empty<string>(), use_default_lexicon = true,
            contact = new { name = "Ms Patel", email = "dsl@hillside.example" },
            block_message = "Let's keep this chat about school.", escalation_message = "Thank you for telling us.", redact_pii = true,
        })))).JsonAsync(200);
        var second = await org.StartAsync(app);
        var named = (await second.AskAsync("there's never any food at home")).GetProperty("answer").GetProperty("text").GetString()!;

        Assert.StartsWith("Thank you for telling us.", named, StringComparison.Ordinal);
        Assert.Contains(SafeguardingReply.NotifiedSentence, named, StringComparison.Ordinal);
        AssertSignposting(named); // the organisation's message names no number, so the helplines are added
    }

    [Fact]
    public async Task AQuestionAboutThePolicy_IsAnsweredNormally_AndNothingIsRaised()
    {
        await using var app = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(app);
        var visitor = await org.StartAsync(app);

        var reply = await visitor.AskAsync("what is your self-harm policy?");

        Assert.False(reply.GetProperty("safeguarding").GetProperty("escalated").GetBoolean());
        Assert.False(reply.GetProperty("handoff_active").GetBoolean());
        var outbox = await app.Services.GetRequiredService<EventStore>().ListAsync(org.Org.OrgId, 100);
        Assert.DoesNotContain(outbox, e => e.Type == EventTypes.SafeguardingAlert);
    }

    private static void AssertSignposting(string text)
    {
        Assert.Contains("Childline", text, StringComparison.Ordinal);
        Assert.Contains("0800 1111", text, StringComparison.Ordinal);
        Assert.Contains("116 123", text, StringComparison.Ordinal);
        Assert.Contains("0808 800 5000", text, StringComparison.Ordinal);
        Assert.Contains("999", text, StringComparison.Ordinal);
    }

    private static async Task<(JsonElement Thread, JsonElement Alert)> ThreadAndAlertAsync(TestApp app, ChatTestOrg org, ChatVisitor visitor)
    {
        var threads = await (await app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Get, "/api/org/v1/inbox/threads"))).JsonAsync(200);
        var threadId = threads.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("session_id").GetString() == visitor.SessionId)
            .GetProperty("thread_id").GetString()!;
        var thread = await (await app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Get, $"/api/org/v1/inbox/threads/{threadId}"))).JsonAsync(200);
        var outbox = await app.Services.GetRequiredService<EventStore>().ListAsync(org.Org.OrgId, 100);
        var alert = Assert.Single(outbox, e => e.Type == EventTypes.SafeguardingAlert && e.Json.Contains(visitor.SessionId, StringComparison.Ordinal));
        using var envelope = JsonDocument.Parse(alert.Json);
        return (thread, envelope.RootElement.GetProperty("data").Clone());
    }
}
