namespace Comx.Core.Storage;

/// <summary>Every table, queue and blob container the app uses. All are created once at start-up.</summary>
public static class StorageNames
{
    public static class Tables
    {
        public const string RateLimits = "ratelimits";
        public const string Idempotency = "idempotency";
        public const string Orgs = "orgs";
        public const string Members = "members";
        public const string Users = "users";
        public const string ApiKeys = "apikeys";
        public const string WebhookEvents = "inboundevents";
        public const string Widgets = "widgets";
        public const string Sources = "sources";
        public const string IngestJobs = "ingestjobs";
        public const string Chunks = "chunks";
        public const string ChatSessions = "chatsessions";
        public const string Conversations = "conversations";
        public const string Answers = "answers";
        /// <summary>Events raised on their own (the outbox's <c>o|</c> rows) and the pending markers of the event pipeline.</summary>
        public const string Events = "events";
        public const string Settings = "orgsettings";
        public const string Learners = "learners";
        public const string Templates = "templates";
        public const string Actions = "actions";
        public const string Hooks = "hooks";
        public const string Deliveries = "deliveries";
        public const string ThinkGuide = "thinkguide";
        public const string Usage = "usage";

        /// <summary>Insights counters and unanswered questions, one partition per organisation (Comx.Core/Insights).</summary>
        public const string Insights = "insights";

        /// <summary>Per org, the version of its current retrieval index (blob in <see cref="Containers.RetrievalIndex"/>).</summary>
        public const string RetrievalIndex = "retrievalindex";

        /// <summary>Per org, its retention policy (with the last run) and its learner erasures.</summary>
        public const string DataProtection = "dataprotection";

        public static readonly IReadOnlyList<string> All =
        [
            RateLimits, Idempotency, Orgs, Members, Users, ApiKeys, WebhookEvents, Widgets, Sources, IngestJobs, Chunks,
            ChatSessions, Conversations, Answers, Events, Settings, Learners, Templates, Actions, Hooks,
            Deliveries, ThinkGuide, Usage, RetrievalIndex, DataProtection, Insights,
        ];
    }

    public static class Queues
    {
        public const string IngestJobs = "ingest-jobs";
        public const string WebhookDeliveries = "webhook-deliveries";

        /// <summary>Learner erasures (<c>DELETE /org/v1/learners/{learnerId}</c>), one message per erasure.</summary>
        public const string LearnerErasures = "learner-erasures";

        /// <summary>The poison queue the Functions queue trigger moves a message to after its last attempt.</summary>
        public static string Poison(string queue) => queue + "-poison";

        public static readonly IReadOnlyList<string> All = [IngestJobs, WebhookDeliveries, LearnerErasures];
    }

    public static class Containers
    {
        public const string RetrievalIndex = "retrieval-index";

        /// <summary>The text of text sources, one blob per source (<c>{orgId}/{sourceId}.txt</c>).</summary>
        public const string SourceContent = "source-content";

        /// <summary>Uploaded files of file sources, one blob per source (<c>{orgId}/{sourceId}</c>), read by the ingest job.</summary>
        public const string SourceFiles = "source-files";

        public static readonly IReadOnlyList<string> All = [RetrievalIndex, SourceContent, SourceFiles];
    }
}
