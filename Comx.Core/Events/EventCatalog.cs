using Comx.Core.Http;

namespace Comx.Core.Events;

/// <summary>One event type: its name, its payload record (whose JSON Schema the OpenAPI document publishes) and a sample payload.</summary>
public sealed record EventDefinition(string Type, Type DataType, IEventData Sample)
{
    /// <summary>The payload's schema name in the OpenAPI document's components.</summary>
    public string SchemaName => DataType.Name;

    public string SchemaRef => "#/components/schemas/" + SchemaName;
}

/// <summary>Every event type with its payload record, in <see cref="EventTypes.All"/> order.</summary>
public static class EventCatalog
{
    private const string Thread = "thr_sample0000000000000000000000";
    private const string Session = "ses_sample0000000000000000000000";
    private const string Proposal = "act_sample0000000000000000000000";
    private const string Job = "job_sample0000000000000000000000";
    private const string Source = "src_sample0000000000000000000000";
    private static readonly DateTimeOffset SampleTime = new(2026, 9, 1, 9, 30, 0, TimeSpan.Zero);

    public static IReadOnlyList<EventDefinition> All { get; } =
    [
        Define(new ChatMessageAnsweredData(Thread, Session, "ans_sample0000000000000000000000", "When does the autumn term start?",
            "The autumn term starts on Wednesday 3 September.", 0.82, false,
            [new EventCitation(Source, "Term dates", "https://example.org/term-dates", "Autumn term: Wednesday 3 September to…")])),
        Define(new EnquiryCreatedData("enq_sample0000000000000000000000", "Sam Sample", "sam@example.org", null, "Could someone call me about open days?", Session,
            Thread, SampleTime)),
        Define(new HandoffRequestedData("hof_sample0000000000000000000000", Thread, Session, "Visitor asked to speak to a person", null, HandoffRequesters.Staff,
            "user_sample")),
        Define(new SafeguardingAlertData(Thread, Session, SafeguardingSources.Chat, null, "self_harm", "lexicon", "(the visitor's message)",
            new SafeguardingAlertContact("Designated Safeguarding Lead", "dsl@example.org"))),
        Define(new ActionExecutedData(Proposal, "create_ticket", "https://example.org/hooks/tickets", "Open a ticket for the visitor's request", Thread,
            "dlv_sample0000000000000000000000", "succeeded", 200, 1, null, "user_sample", "user_sample", SampleTime)),
        Define(new ActionFailedData(Proposal, "create_ticket", "https://example.org/hooks/tickets", "Open a ticket for the visitor's request", Thread,
            "dlv_sample0000000000000000000000", "failed", 503, 8, "The endpoint answered 503.", "user_sample", "user_sample", SampleTime)),
        Define(new IngestSucceededData(Job, Source, "Term dates", "succeeded", 42)),
        Define(new IngestFailedData(Job, Source, "Term dates", "failed", "The server answered 404 Not Found.")),
        Define(new FeedbackReceivedData("ans_sample0000000000000000000000", Session, Thread, false, "It did not say which campus.")),
        Define(new ErasureCompletedData("era_sample0000000000000000000000", "learner_sample", 17, SampleTime)),
    ];

    public static EventDefinition Get(string type) => All.Single(d => d.Type == type);

    /// <summary>One example delivery body per event type, serialised exactly as the outbox serialises real events.</summary>
    public static IReadOnlyList<(EventDefinition Definition, string Json)> Samples(string orgId, DateTimeOffset now) =>
        [.. All.Select(d => (d, ComxJson.Serialize(new EventEnvelope("evt_sample0000000000000000000000", d.Type, now, orgId, d.Sample))))];

    private static EventDefinition Define<T>(T sample) where T : IEventData => new(T.EventType, typeof(T), sample);
}
