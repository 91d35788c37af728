using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues.Models;
using Comx.Core.Deliveries;
using Comx.Core.Events;
using Comx.Core.Jobs;
using Comx.Core.Notifications;
using Comx.Core.Storage;
using Comx.Tests.Chat;
using Comx.Tests.Deliveries;
using Comx.Tests.Infrastructure;
using Comx.Tests.Knowledge;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Comx.Tests.Notifications;

/// <summary>
/// E-mail notifications end to end: the settings route, the e-mail consumer of the event pipeline, MailKit talking to a
/// real SMTP server on loopback (<see cref="SmtpCatcher"/>), retries and the record of sends.
/// </summary>
public sealed class NotificationTests : IAsyncLifetime
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await DeliveryHarness.StartAppAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static string Address(string prefix = "staff") => $"{prefix}-{Guid.NewGuid():N}@school.example";

    private async Task<JsonElement> PutRecipientsAsync(TestOrg org, params (string Email, string[] Events)[] recipients) =>
        await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/notifications",
            TestApp.Json(new { recipients = recipients.Select(r => new { email = r.Email, events = r.Events }) })), Token)).JsonAsync(200);

    private async Task<JsonElement> GetNotificationsAsync(TestOrg org) =>
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/notifications"), Token)).JsonAsync(200);

    private Task RaiseAsync<T>(string orgId, T data) where T : IEventData =>
        _app.Services.GetRequiredService<EventStore>().AddAsync(orgId, [EventRecord.Create("evt_" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, data)], Token);

    private async Task<IReadOnlyList<Delivery>> EmailDeliveriesAsync(string orgId) =>
        (await _app.Services.GetRequiredService<DeliveryStore>().ListEmailsAsync(orgId, new PageRequest(100, null), Token)).Data;

    /// <summary>
    /// Makes every due attempt of the organisation's e-mail deliveries with this app's worker until all are finished.
    /// The tests drive the worker directly rather than draining the deliveries queue: the queue is shared, and its
    /// backlog is not this test's business. Queue messages for the same attempts find them made and send nothing.
    /// </summary>
    private async Task<IReadOnlyList<Delivery>> DeliverEmailsAsync(string orgId, int expected)
    {
        var worker = _app.Services.GetRequiredService<DeliveryWorker>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            var all = await EmailDeliveriesAsync(orgId);
            if (all.Count == expected && all.All(d => d.Finished))
            {
                return all;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"E-mail deliveries of {orgId} did not finish: {string.Join(", ", all.Select(d => $"{d.TargetId} {d.Status} {d.AttemptCount}"))}");
            foreach (var d in all.Where(d => d.Status == DeliveryStatus.Pending && (d.AttemptCount == 0 || d.NextAttemptAt <= DateTimeOffset.UtcNow)))
            {
                await worker.DeliverAsync(orgId, d.Row, d.AttemptCount + 1, Token);
            }

            await Task.Delay(200, Token);
        }
    }

    private static string TextOf(CaughtMail mail)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(mail.Raw));
        using var message = MimeMessage.Load(stream, Token);
        return message.Subject + "\n" + message.TextBody;
    }

    [Fact]
    public async Task PutNotifications_ValidatesAddressesAndEvents_AndIsForAdminsOnly()
    {
        var org = await TestOrg.CreateAsync(_app);
        var body = TestApp.Json(new { recipients = new[] { new { email = "dsl@school.example", events = new[] { EventTypes.SafeguardingAlert } } } });
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Put, "/api/org/v1/notifications", body), Token)).ErrorAsync(403, "COMX_FORBIDDEN");

        var badEmail = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/notifications",
            TestApp.Json(new { recipients = new[] { new { email = "Ann <ann@school.example>", events = new[] { EventTypes.EnquiryCreated } } } })), Token)).ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("recipients[0].email", badEmail.GetProperty("details").GetProperty("field").GetString());
        var badEvent = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/notifications",
            TestApp.Json(new { recipients = new[] { new { email = "ann@school.example", events = new[] { EventTypes.ChatMessageAnswered } } } })), Token)).ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("recipients[0].events[0]", badEvent.GetProperty("details").GetProperty("field").GetString());
        Assert.Empty((await GetNotificationsAsync(org)).GetProperty("recipients").EnumerateArray());

        var saved = await PutRecipientsAsync(org, ("dsl@school.example", [EventTypes.SafeguardingAlert, EventTypes.HandoffRequested]));
        Assert.Equal("configured", saved.GetProperty("email").GetString());
        var read = await GetNotificationsAsync(org);
        var recipient = Assert.Single(read.GetProperty("recipients").EnumerateArray());
        Assert.Equal("dsl@school.example", recipient.GetProperty("email").GetString());
        Assert.Equal([EventTypes.SafeguardingAlert, EventTypes.HandoffRequested], recipient.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        var me = await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/me"), Token)).JsonAsync(200);
        Assert.Equal("configured", me.GetProperty("notifications").GetProperty("email").GetString());
    }

    [Fact]
    public async Task NotifiableEvents_AreEmailedOnceEach_EvenWhenDispatchAndDeliveryMessagesRepeat()
    {
        var chat = await ChatTestOrg.CreateAsync(_app);
        var org = chat.Org;
        var staff = Address();
        var dsl = Address("dsl");
        await PutRecipientsAsync(org, (staff, [.. NotifiableEvents.All]));

        // A real enquiry through the widget route, and the other three raised as their features raise them.
        var enquiry = TestApp.Request(HttpMethod.Post, "/api/public/v1/enquiries", TestApp.Json(new
        {
            widget_key = chat.WidgetKey, name = "Sam Parent", email = "sam@example.org", message = "Is there a waiting list?", consent = true,
        }), TestSettings.NewIp());
        enquiry.Headers.Add("Origin", ChatTestOrg.Origin);
        await (await _app.Client.SendAsync(enquiry, Token)).JsonAsync(201);
        // A real disclosure through the chat route, with the policy's contact set: the alert goes to the staff and the contact.
        await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/safeguarding", TestApp.Json(new
        {
            blocked_terms = Array.Empty<string>(), escalation_terms = Array.Empty<string>(), use_default_lexicon = true,
            contact = new { name = "DSL", email = dsl }, block_message = "Please keep it kind.",
            escalation_message = "Thank you for telling us.", redact_pii = false,
        })), Token)).JsonAsync(200);
        const string Words = "i swallowed a load of tablets yesterday";
        var visitor = await chat.StartAsync(_app);
        Assert.True((await visitor.AskAsync(Words)).GetProperty("safeguarding").GetProperty("escalated").GetBoolean());
        var threads = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/inbox/threads"), Token)).JsonAsync(200);
        var threadId = threads.GetProperty("data").EnumerateArray().Single().GetProperty("thread_id").GetString()!;
        await RaiseAsync(org.OrgId, new HandoffRequestedData("hof_n", "thr_handoff", "ses_h", "Wants to talk about fees", null, HandoffRequesters.Visitor, null));
        await RaiseAsync(org.OrgId, new IngestFailedData("job_n", "src_n", "Term dates", "failed", "The server answered 404 Not Found."));

        // The same dispatch three times (two at once), as when dispatch messages are redelivered.
        var dispatcher = _app.Services.GetRequiredService<EventDispatcher>();
        await Task.WhenAll(dispatcher.DispatchAsync(org.OrgId, Token), dispatcher.DispatchAsync(org.OrgId, Token));
        await dispatcher.DispatchAsync(org.OrgId, Token);
        await DeliverEmailsAsync(org.OrgId, 5);

        // Every first-attempt message delivered again, twice at once: each finds its attempt made and sends nothing.
        var worker = _app.Services.GetRequiredService<DeliveryWorker>();
        foreach (var delivery in await EmailDeliveriesAsync(org.OrgId))
        {
            await Task.WhenAll(worker.DeliverAsync(org.OrgId, delivery.Row, 1, Token), worker.DeliverAsync(org.OrgId, delivery.Row, 1, Token));
        }

        Assert.All(await EmailDeliveriesAsync(org.OrgId), d => Assert.Equal(DeliveryStatus.Succeeded, d.Status));
        var toStaff = SmtpCatcher.Shared.For(staff);
        Assert.Equal(4, toStaff.Count);
        Assert.Single(toStaff, m => m.Subject.StartsWith("New enquiry from Sam Parent", StringComparison.Ordinal));
        Assert.Single(toStaff, m => m.Subject.StartsWith("A visitor is waiting", StringComparison.Ordinal));
        Assert.Single(toStaff, m => m.Subject.StartsWith("A knowledge source failed", StringComparison.Ordinal));
        var alert = Assert.Single(toStaff, m => m.Subject.StartsWith("Safeguarding concern raised", StringComparison.Ordinal));

        // The policy's contact gets the alert too; neither copy carries the learner's words, both say where to look.
        var toDsl = Assert.Single(SmtpCatcher.Shared.For(dsl));
        foreach (var text in new[] { TextOf(alert), TextOf(toDsl) })
        {
            Assert.Contains("self harm", text, StringComparison.Ordinal);
            Assert.Contains(threadId, text, StringComparison.Ordinal);
            Assert.DoesNotContain("tablets", text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(Words, toDsl.Raw, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HandoffAndIngestFailure_FromTheirRealRoutesAndJobs_AreEmailedOnce_WhenEveryQueueMessageIsDeliveredTwice()
    {
        var chat = await ChatTestOrg.CreateAsync(_app);
        var org = chat.Org;
        var staff = Address();
        await PutRecipientsAsync(org, (staff, [EventTypes.HandoffRequested, EventTypes.IngestFailed]));

        // A staff handoff through its route, on the thread a real visitor started.
        var visitor = await chat.StartAsync(_app);
        await visitor.AskAsync("When does the autumn term start?");
        var threadId = (await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/inbox/threads"), Token)).JsonAsync(200))
            .GetProperty("data").EnumerateArray().Single().GetProperty("thread_id").GetString()!;
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, "/api/org/v1/handoffs", TestApp.Json(new { thread_id = threadId, reason = "Fees question" })), Token))
            .JsonAsync(201);

        // A URL source whose page is gone: its ingest job fails. The job's queue message is delivered twice.
        await using var site = LoopbackServer.Create();
        site.MapGet("/gone", () => Microsoft.AspNetCore.Http.Results.NotFound());
        var url = await LoopbackServer.StartAsync(site) + "/gone";
        var driver = new IngestDriver(_app, org);
        var jobId = (await driver.CreateSourceAsync(new { type = "url", title = "Term dates", url })).GetProperty("job_id").GetString()!;
        await driver.RunJobAsync(jobId);
        await driver.RunJobAsync(jobId, dequeueCount: 2);
        Assert.Equal("failed", (await driver.JobAsync(jobId)).GetProperty("status").GetString());

        // The dispatch message on the webhook-deliveries queue, delivered twice (two at once), through the job both hosts run.
        var jobs = _app.Services.GetRequiredService<ComxJobs>();
        Task RunAsync(object body) => jobs.RunQueueJobAsync(JobNames.WebhookDeliveries,
            QueuesModelFactory.QueueMessage("msg-" + Guid.NewGuid().ToString("N"), "pop", BinaryData.FromString(Core.Http.ComxJson.Serialize(body)), 1), Token);
        var dispatch = EventsQueueMessage.Dispatch(org.OrgId);
        await Task.WhenAll(RunAsync(dispatch), RunAsync(dispatch));
        await RunAsync(dispatch);

        // Each delivery's first-attempt message, delivered twice at once, then whatever retries remain.
        var emails = await EmailDeliveriesAsync(org.OrgId);
        Assert.Equal(2, emails.Count);
        foreach (var delivery in emails)
        {
            var attempt = DeliveryQueueMessage.DeliverAttempt(org.OrgId, delivery.Row, 1);
            await Task.WhenAll(RunAsync(attempt), RunAsync(attempt));
        }

        Assert.All(await DeliverEmailsAsync(org.OrgId, 2), d => Assert.Equal(DeliveryStatus.Succeeded, d.Status));
        var toStaff = SmtpCatcher.Shared.For(staff);
        Assert.Equal(2, toStaff.Count);
        var handoff = Assert.Single(toStaff, m => m.Subject.StartsWith("A visitor is waiting", StringComparison.Ordinal));
        Assert.Contains(threadId, TextOf(handoff), StringComparison.Ordinal);
        var failed = Assert.Single(toStaff, m => m.Subject.StartsWith("A knowledge source failed to update", StringComparison.Ordinal));
        Assert.Equal("A knowledge source failed to update: Term dates", failed.Subject);
        Assert.Contains(jobId, TextOf(failed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusingSmtpServer_IsRetried_AndTheGetRecordsAttemptsAndFailures()
    {
        var org = await TestOrg.CreateAsync(_app);
        var flaky = Address("flaky2");
        var rejecting = Address("reject");
        await PutRecipientsAsync(org, (flaky, [EventTypes.IngestFailed]), (rejecting, [EventTypes.IngestFailed]));
        await RaiseAsync(org.OrgId, new IngestFailedData("job_f", "src_f", null, "failed", "The server answered 500."));
        await _app.Services.GetRequiredService<EventDispatcher>().DispatchAsync(org.OrgId, Token);

        await DeliverEmailsAsync(org.OrgId, 2);

        Assert.Equal(2, SmtpCatcher.Shared.Refusals(flaky));
        Assert.Single(SmtpCatcher.Shared.For(flaky));
        Assert.Empty(SmtpCatcher.Shared.For(rejecting));
        var sends = (await GetNotificationsAsync(org)).GetProperty("recent_sends").EnumerateArray().ToList();
        var retried = sends.Single(s => s.GetProperty("recipient").GetString() == flaky);
        Assert.Equal("succeeded", retried.GetProperty("status").GetString());
        Assert.Equal(3, retried.GetProperty("attempts").GetInt32());
        Assert.Contains("451", retried.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        // 550 is permanent: one attempt, recorded as failed, not retried.
        var refused = sends.Single(s => s.GetProperty("recipient").GetString() == rejecting);
        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.Equal(1, refused.GetProperty("attempts").GetInt32());
        Assert.Contains("550", refused.GetProperty("last_error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutSmtp_NothingIsSent_AndMeAndTheGetSaySo()
    {
        await using var plain = await TestApp.StartAsync();
        var org = await TestOrg.CreateAsync(plain);
        var staff = Address();
        await (await plain.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/notifications",
            TestApp.Json(new { recipients = new[] { new { email = staff, events = new[] { EventTypes.EnquiryCreated } } } })), Token)).JsonAsync(200);

        // The e-mail consumer of an app without SMTP, handed an event directly (the shared queue would let an app with
        // SMTP take it): it records the send as skipped and queues nothing.
        var e = EventRecord.Create("evt_" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow,
            new EnquiryCreatedData("enq_n", "Sam", "sam@example.org", null, "Hello", null, null, DateTimeOffset.UtcNow));
        var json = ComxJsonBody(org.OrgId, e);
        await plain.Services.GetServices<IEventConsumer>().OfType<NotificationConsumer>().Single().ConsumeAsync(org.OrgId, [new StoredEvent(e.EventId, e.Type, e.CreatedAt, json)], Token);
        var delivery = Assert.Single((await plain.Services.GetRequiredService<DeliveryStore>().ListEmailsAsync(org.OrgId, new PageRequest(10, null), Token)).Data);
        Assert.Equal(DeliveryStatus.Skipped, delivery.Status);

        // And its e-mail target refuses to send even a delivery that was queued before SMTP was removed.
        var target = plain.Services.GetServices<IDeliveryTarget>().Single(t => t.Kind == DeliveryKind.Email);
        Assert.NotNull((await target.SendAsync(delivery with { Status = DeliveryStatus.Sending }, Token)).SkipReason);

        var read = await (await plain.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/notifications"), Token)).JsonAsync(200);
        Assert.Equal("not_configured", read.GetProperty("email").GetString());
        var send = Assert.Single(read.GetProperty("recent_sends").EnumerateArray());
        Assert.Equal("skipped", send.GetProperty("status").GetString());
        Assert.Contains("not configured", send.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        var me = await (await plain.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/me"), Token)).JsonAsync(200);
        Assert.Equal("not_configured", me.GetProperty("notifications").GetProperty("email").GetString());
        Assert.False(plain.Services.GetRequiredService<IOptions<SmtpOptions>>().Value.Configured);
        Assert.Empty(SmtpCatcher.Shared.For(staff));
    }

    [Fact]
    public async Task EventPayloads_ValidateAgainstTheSchemasTheOpenApiDocumentPublishes()
    {
        var chat = await ChatTestOrg.CreateAsync(_app);
        var org = chat.Org;
        await using var receiver = await WebhookReceiver.StartAsync();
        var (hookId, _) = await DeliveryHarness.SubscribeAsync(_app, org, receiver.Url, [.. EventTypes.All]);

        // Real events from real routes: an answered message, a safeguarding alert, a staff handoff, an enquiry.
        // The disclosure comes from a second visitor: an escalation hands its own thread to staff, and the staff handoff
        // below must be a new one (handoff.requested) on the first visitor's thread.
        var visitor = await chat.StartAsync(_app);
        await visitor.AskAsync("When does the autumn term start?");
        await (await chat.StartAsync(_app)).AskAsync("i want to k1ll mys3lf");
        var thread = (await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/inbox/threads"), Token)).JsonAsync(200))
            .GetProperty("data").EnumerateArray().First(t => t.GetProperty("session_id").GetString() == visitor.SessionId).GetProperty("thread_id").GetString();
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Post, "/api/org/v1/handoffs", TestApp.Json(new { thread_id = thread, reason = "Needs a person" })), Token))
            .JsonAsync(201);
        var enquiry = TestApp.Request(HttpMethod.Post, "/api/public/v1/enquiries", TestApp.Json(new
        {
            widget_key = chat.WidgetKey, name = "Sam Parent", email = "sam@example.org", message = "Open days?", phone = "+44 7700 900123", consent = true,
        }), TestSettings.NewIp());
        enquiry.Headers.Add("Origin", ChatTestOrg.Origin);
        await (await _app.Client.SendAsync(enquiry, Token)).JsonAsync(201);

        // The bodies as the webhook consumer stored them for delivery (whichever app dispatched them), byte for byte.
        await _app.Services.GetRequiredService<EventDispatcher>().DispatchAsync(org.OrgId, Token);
        var deliveries = _app.Services.GetRequiredService<DeliveryStore>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        IReadOnlyList<Delivery> stored;
        while ((stored = (await deliveries.ListForHookAsync(org.OrgId, hookId, new PageRequest(100, null), Token)).Data).Count < 4)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Only {stored.Count} events were dispatched.");
            await Task.Delay(200, Token);
        }

        var raised = stored.Select(d => JsonNode.Parse(d.Body.Span)!).ToList();
        Assert.Equal([EventTypes.ChatMessageAnswered, EventTypes.EnquiryCreated, EventTypes.HandoffRequested, EventTypes.SafeguardingAlert],
            raised.Select(e => e["type"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal));
        var samples = EventCatalog.Samples(org.OrgId, DateTimeOffset.UtcNow).Select(s => JsonNode.Parse(s.Json)!);
        JsonArray bodies = [.. raised, .. samples];

        var dir = Directory.CreateTempSubdirectory("comx-events-");
        try
        {
            var document = Path.Combine(dir.FullName, "openapi.json");
            await File.WriteAllBytesAsync(document, await (await _app.Client.GetAsync("/api/openapi.json", Token)).Content.ReadAsByteArrayAsync(Token), Token);
            var events = Path.Combine(dir.FullName, "events.json");
            await File.WriteAllTextAsync(events, bodies.ToJsonString(), Token);

            var (exit, output, error) = await Node.RunAsync("tools/validate-event-payloads.mjs", document, events);

            Assert.True(exit == 0, output + error);
            Assert.Equal(bodies.Count, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith(": valid", StringComparison.Ordinal)));
        }
        finally
        {
            dir.Delete(true);
        }

        // A payload that breaks its schema is caught: the check can fail.
        var broken = JsonNode.Parse(EventCatalog.Samples(org.OrgId, DateTimeOffset.UtcNow)[0].Json)!;
        broken["data"]!["confidence"] = "high";
        var brokenDir = Directory.CreateTempSubdirectory("comx-events-");
        try
        {
            var document = Path.Combine(brokenDir.FullName, "openapi.json");
            await File.WriteAllBytesAsync(document, await (await _app.Client.GetAsync("/api/openapi.json", Token)).Content.ReadAsByteArrayAsync(Token), Token);
            var events = Path.Combine(brokenDir.FullName, "events.json");
            await File.WriteAllTextAsync(events, new JsonArray(broken).ToJsonString(), Token);
            var (exit, output, _) = await Node.RunAsync("tools/validate-event-payloads.mjs", document, events);
            Assert.NotEqual(0, exit);
            Assert.Contains("INVALID", output, StringComparison.Ordinal);
        }
        finally
        {
            brokenDir.Delete(true);
        }
    }

    private static string ComxJsonBody(string orgId, EventRecord e) =>
        Core.Http.ComxJson.Serialize(new EventEnvelope(e.EventId, e.Type, e.CreatedAt, orgId, e.Data));
}
