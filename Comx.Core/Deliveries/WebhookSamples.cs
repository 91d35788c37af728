using Comx.Core.Actions;
using Comx.Core.Chat;
using Comx.Core.Http;
using Comx.Core.Inbox;
using Comx.Core.Safeguarding;

namespace Comx.Core.Deliveries;

/// <summary>
/// One example delivery body per event type, serialised exactly as the outbox serialises real events
/// (<see cref="EventEnvelope"/> with <see cref="ComxJson"/>), with data shaped as each feature raises it.
/// </summary>
public static class WebhookSamples
{
    public static IReadOnlyList<(string EventType, string Json)> All(string orgId, DateTimeOffset now)
    {
        const string Thread = "thr_sample0000000000000000000000";
        const string Session = "ses_sample0000000000000000000000";
        const string Proposal = "act_sample0000000000000000000000";
        var data = new Dictionary<string, object>
        {
            [EventTypes.ChatMessageAnswered] = new
            {
                thread_id = Thread,
                session_id = Session,
                answer_id = "ans_sample0000000000000000000000",
                question = "When does the autumn term start?",
                answer = "The autumn term starts on Wednesday 3 September.",
                confidence = 0.82,
                fallback = false,
                citations = new[] { new Citation("src_sample0000000000000000000000", "Term dates", "https://example.org/term-dates", "Autumn term: Wednesday 3 September to…") },
            },
            [EventTypes.EnquiryCreated] = new EnquiryResponse("enq_sample0000000000000000000000", "Sam Sample", "sam@example.org", null,
                "Could someone call me about open days?", Session, Thread, now),
            [EventTypes.HandoffRequested] = new
            {
                handoff_id = "hof_sample0000000000000000000000",
                thread_id = Thread,
                session_id = Session,
                reason = "Visitor asked to speak to a person",
                assignee_user_id = (string?)null,
                requested_by = "user_sample",
            },
            [EventTypes.SafeguardingAlert] = new
            {
                thread_id = Thread,
                session_id = Session,
                category = "self_harm",
                message = "(the visitor's message)",
                contact = new SafeguardingContact { Name = "Designated Safeguarding Lead", Email = "dsl@example.org" },
            },
            [EventTypes.ActionExecuted] = new ActionOutcomeData(Proposal, "create_ticket", "https://example.org/hooks/tickets", "Open a ticket for the visitor's request",
                Thread, "dlv_sample0000000000000000000000", "succeeded", 200, 1, null, "user_sample", "user_sample", now),
            [EventTypes.ActionFailed] = new ActionOutcomeData(Proposal, "create_ticket", "https://example.org/hooks/tickets", "Open a ticket for the visitor's request",
                Thread, "dlv_sample0000000000000000000000", "failed", 503, 8, "The endpoint answered 503.", "user_sample", "user_sample", now),
            [EventTypes.IngestSucceeded] = new
            {
                job_id = "job_sample0000000000000000000000",
                source_id = "src_sample0000000000000000000000",
                status = "succeeded",
                chunk_count = 42,
            },
            [EventTypes.ErasureCompleted] = new DataProtection.ErasureCompletedData("era_sample0000000000000000000000", "learner-sample",
                new Dictionary<string, int> { ["chat_sessions"] = 2, ["messages"] = 14, ["answers"] = 7, ["thinkguide_sessions"] = 1 }),
            [EventTypes.IngestFailed] = new
            {
                job_id = "job_sample0000000000000000000000",
                source_id = "src_sample0000000000000000000000",
                status = "failed",
                error = "The server answered 404 Not Found.",
            },
        };
        return [.. EventTypes.All.Select(type => (type, ComxJson.Serialize(new EventEnvelope("evt_sample0000000000000000000000", type, now, orgId, data[type]))))];
    }
}
