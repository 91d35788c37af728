using Comx.Core.Accessibility;
using Comx.Core.Billing;
using Comx.Core.Events;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Inbox;
using Comx.Core.Knowledge.Retrieval;
using Comx.Core.Safeguarding;
using Microsoft.Extensions.AI;

namespace Comx.Core.Chat;

/// <summary>
/// One visitor message, end to end. The reads it needs run in parallel with the rate limits (widget, org, policy, learner, thread, index);
/// safeguarding decides first (blocked: 403 with the org's message, nothing stored; escalated: the org's signposting
/// message with a sentence that is true about who was told, the thread flagged with the category and handed to staff,
/// and safeguarding.alert raised in the same transaction); a thread a person has taken over gets no bot answer;
/// otherwise the plan's monthly limit is checked, the org's index searched, an answer generated and stored, and the
/// visitor message, bot message and chat.message_answered event are committed in one transaction.
/// </summary>
public sealed class ChatService(
    WidgetSettingsStore widgets,
    OrgDirectory directory,
    SafeguardingPolicyStore policies,
    SafeguardingDetector detector,
    SafeguardingReach reach,
    LearnerAccessibilityStore learners,
    ConversationStore conversations,
    UsageCounter usage,
    RetrievalIndexStore indexes,
    IAnswerGenerator generator,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    AnswerStore answers,
    QuestionVectors questions,
    IdGenerator ids,
    TimeProvider time)
{
    /// <summary>
    /// Answers one message of the session. <paramref name="limits"/> are the request's rate limits, counted while this
    /// message's reads are in flight (one hop, not two): nothing is written until they admit the message, and their
    /// refusal is returned as this call's error.
    /// </summary>
    public async Task<ApiResultOr<SendMessageResponse>> SendAsync(ChatSession session, string message, string origin, Task<ChatLimitOutcome> limits,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(limits);
        if (limits is { IsCompletedSuccessfully: true, Result.Refusal: { } refusedAtOnce })
        {
            // Refused without storage (a caller this instance knows to be over its limit): no reads on its behalf either.
            return refusedAtOnce;
        }

        var orgId = session.OrgId;
        // Organisation, widget and policy rarely change: read through the per-instance cache (ReadCache).
        var widgetTask = widgets.GetRecentAsync(orgId, cancellationToken);
        var orgTask = directory.GetRecentAsync(orgId, cancellationToken);
        var policyTask = policies.GetRecentAsync(orgId, cancellationToken);
        var learnerTask = session.LearnerId is { } learnerId ? learners.GetAsync(orgId, learnerId, cancellationToken) : Task.FromResult(new LearnerAccessibility());
        var threadTask = conversations.ReadThreadAsync(orgId, session.ThreadId, cancellationToken);
        // A question's index is read with the rest (one hop, not two); a greeting or thanks is not searched at all.
        var intent = ConversationIntents.Classify(message);
        var indexTask = intent == ConversationIntent.None ? indexes.GetAsync(orgId, cancellationToken) : null;
        // The question is embedded while those reads are in flight (the local model is CPU work, an endpoint a call of
        // its own): a message that is then refused or handed to staff wastes one embedding, every answer saves its wait.
        // An index known to carry no vectors does not need it.
        var vectorTask = indexTask is null || !indexes.MayHaveVectors(orgId) ? null : EmbedQuestionAsync(message, cancellationToken);
        // Safeguarding too is CPU work (on the cached policy), done while the reads are in flight.
        var verdictTask = CheckAsync(policyTask, message, cancellationToken);
        await Task.WhenAll(widgetTask, orgTask, policyTask, learnerTask, threadTask, indexTask ?? Task.CompletedTask, limits);
        if ((await limits).Refusal is { } tooMany)
        {
            return tooMany;
        }

        if (await orgTask is not { Status: RecordStatus.Active } org || await widgetTask is not { } widget)
        {
            return ApiError.Unauthenticated("This chat session's organisation no longer exists.");
        }

        if (PublicAccess.CheckOrigin(origin, widget) is { } refused)
        {
            return refused;
        }

        var policy = await policyTask;
        var verdict = await verdictTask;
        if (verdict is SafeguardingVerdict.Blocked)
        {
            return new ApiError(ErrorCode.PolicyBlock, policy.BlockMessage, new Dictionary<string, object?> { ["reason"] = "blocked_term" });
        }

        var stored = policy.RedactPii ? PiiRedactor.Redact(message) : message;
        var snapshot = await threadTask; // handed to the thread write below, which then does not read the thread again
        var thread = snapshot.Thread;
        var now = time.GetUtcNow();
        if (verdict is SafeguardingVerdict.Escalated escalated)
        {
            return await EscalateAsync(session, stored, escalated, policy, now, cancellationToken);
        }

        if (thread?.Status == ThreadStatus.Handoff)
        {
            var written = await conversations.WriteAsync(orgId, session.ThreadId, _ => new ThreadWrite([new NewMessage(MessageRole.Visitor, stored)], null, []),
                session.SessionId, snapshot, cancellationToken);
            return new SendMessageResponse(written!.Value.Messages[0].MessageId, null, true, new SafeguardingOutcome(false), []);
        }

        var usageTask = usage.ConsumeMessageAsync(orgId, org.Billing, cancellationToken);
        // The index is searched while the usage write is in flight; nothing is generated before the plan admits the message.
        var retrieved = indexTask is null ? null : await RetrieveAsync(await indexTask, message, vectorTask, (await learnerTask).ReadingLevel, cancellationToken);
        if (await usageTask is { } limited)
        {
            return limited;
        }

        GeneratedAnswer answer;
        IReadOnlyList<string> actions = [];
        if (retrieved is null)
        {
            // Conversation, not a question: answered as such, without searching the sources.
            var reply = ConversationReply.For(intent, widget.HandoffEnabled, widget.EnquiriesEnabled);
            answer = new GeneratedAnswer(reply.Text, [], 1, false);
            actions = reply.SuggestedActions;
        }
        else
        {
            var outcome = await AnswerAsync(retrieved, cancellationToken);
            if (outcome is AnswerOutcome.ProviderUnavailable unavailable)
            {
                await usage.ReleaseMessageAsync(orgId, cancellationToken);
                return ApiError.ProviderUnavailable(unavailable.Reason);
            }

            answer = ((AnswerOutcome.Answered)outcome).Answer;
            if (answer.Fallback)
            {
                answer = answer with { Text = AnswerTexts.FallbackText(widget.HandoffEnabled, widget.EnquiriesEnabled) };
                actions = SuggestedActions.ForFallback(widget.HandoffEnabled, widget.EnquiriesEnabled);
            }
        }

        var answerId = answers.NewId(orgId);
        var answerRow = await StoreAnswerAsync(new StoredAnswer(answerId, orgId, stored, answer.Text, answer.Citations, answer.Confidence, answer.Fallback, now), cancellationToken);
        var eventId = ids.New("evt");
        var result = await conversations.WriteAsync(orgId, session.ThreadId, current => new ThreadWrite(
            [new NewMessage(MessageRole.Visitor, stored), new NewMessage(MessageRole.Bot, answer.Text, answerId)],
            current.Status == ThreadStatus.Resolved ? new ThreadChange(Status: ThreadStatus.Open) : null,
            [EventRecord.Create(eventId, now, new ChatMessageAnsweredData(session.ThreadId, session.SessionId, answerId, stored, answer.Text, answer.Confidence,
                answer.Fallback, [.. answer.Citations.Select(c => new EventCitation(c.SourceId, c.Title, c.Url, c.Snippet))]))]) { Rows = answerRow },
            session.SessionId, snapshot, cancellationToken);
        var visitorMessage = result!.Value.Messages[0];
        return new SendMessageResponse(visitorMessage.MessageId,
            new AnswerBody(answerId, answer.Text, answer.Citations, answer.Confidence, answer.Fallback), false, new SafeguardingOutcome(false), actions);
    }

    /// <summary>
    /// The passages of the org's index for the question (hybrid when the index carries vectors: the question's embedding
    /// started with the reads, or made now when none was).
    /// </summary>
    /// <remarks>
    /// The index's stamp is read on every message (the index itself is cached per version): a deleted or changed source
    /// must stop answering on every instance at once (api.md: DELETE source), which a cached stamp would not give.
    /// </remarks>
    private async Task<AnswerRequest> RetrieveAsync(Bm25Index index, string message, Task<ReadOnlyMemory<float>>? questionVector, Accessibility.ReadingLevel level,
        CancellationToken cancellationToken)
    {
        var vector = index.HasVectors ? await (questionVector ?? EmbedQuestionAsync(message, cancellationToken)) : default;
        var hits = vector.IsEmpty
            ? index.Search(message, ChatEndpoints.RetrievedPassages)
            : index.Search(message, ChatEndpoints.RetrievedPassages, vector.Span);
        return new AnswerRequest(message, hits, level, vector);
    }

    /// <summary>
    /// Answers from the retrieved passages, or falls back without calling the generator when the best passage is not
    /// similar enough to the question (<see cref="AnswerConfidence"/>).
    /// </summary>
    private async Task<AnswerOutcome> AnswerAsync(AnswerRequest request, CancellationToken cancellationToken)
    {
        var hits = request.Passages;
        // The extractive generator also weighs the passage's sentences (see there); a chat model is not asked at all.
        if (generator is not ExtractiveAnswerGenerator && hits.Count > 0 && hits[0].Similarity is not null
            && AnswerConfidence.Of(request) is var confidence && confidence < AnswerConfidence.AnswerAt)
        {
            return new AnswerOutcome.Answered(AnswerTexts.FallbackAnswer(confidence));
        }

        return await generator.GenerateAsync(request, cancellationToken);
    }

    private async Task<SafeguardingVerdict> CheckAsync(Task<SafeguardingPolicy> policy, string message, CancellationToken cancellationToken) =>
        await detector.CheckAsync(await policy, message, cancellationToken);

    /// <summary>The question's embedding; empty when a configured embedding endpoint fails (then the search is lexical).</summary>
    private async Task<ReadOnlyMemory<float>> EmbedQuestionAsync(string message, CancellationToken cancellationToken)
    {
        if (questions.Get(message) is { } known)
        {
            return known;
        }

        try
        {
            var embedded = await embeddings.GenerateAsync([message], cancellationToken: cancellationToken);
            questions.Add(message, embedded[0].Vector);
            return embedded[0].Vector;
        }
        catch (Exception e) when (e is HttpRequestException or System.ClientModel.ClientResultException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return default;
        }
    }

    /// <summary>
    /// The child's message, the reply and the <c>safeguarding.alert</c> event are one write, which also flags the thread
    /// and hands it to staff (status <c>handoff</c>, reason naming the category; an existing handoff is kept).
    /// </summary>
    private async Task<SendMessageResponse> EscalateAsync(ChatSession session, string stored, SafeguardingVerdict.Escalated verdict, SafeguardingPolicy policy, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var reply = SafeguardingReply.Compose(policy, await reach.SomeoneIsToldAsync(session.OrgId, policy, cancellationToken));
        var answerId = answers.NewId(session.OrgId);
        var answerRow = await StoreAnswerAsync(new StoredAnswer(answerId, session.OrgId, stored, reply, [], 1, false, now), cancellationToken);
        var handoffId = ids.New("hof");
        var result = await conversations.WriteAsync(session.OrgId, session.ThreadId, current => new ThreadWrite(
            [new NewMessage(MessageRole.Visitor, stored), new NewMessage(MessageRole.Bot, reply, answerId)],
            current.Status == ThreadStatus.Handoff && current.HandoffId is not null
                ? new ThreadChange(SafeguardingFlag: true)
                : new ThreadChange(ThreadStatus.Handoff, SafeguardingFlag: true, HandoffId: handoffId, HandoffReason: SafeguardingReason(verdict.Category),
                    HandoffRequestedBy: SafeguardingRequester),
            [],
            messages => [EventRecord.Create(ids, now, SafeguardingAlerts.FromChat(session.ThreadId, session.SessionId, messages[0].MessageId, verdict, policy))])
            { Rows = answerRow },
            session.SessionId, cancellationToken);
        return new SendMessageResponse(result!.Value.Messages[0].MessageId,
            new AnswerBody(answerId, reply, [], 1, false), true, new SafeguardingOutcome(true), []);
    }

    /// <summary>The answer's row for the thread's transaction; an answer that cannot live in the organisation's partition is stored now instead.</summary>
    private async Task<IReadOnlyList<Azure.Data.Tables.ITableEntity>> StoreAnswerAsync(StoredAnswer answer, CancellationToken cancellationToken)
    {
        if (AnswerStore.RowFor(answer) is { } row)
        {
            return [row];
        }

        await answers.AddAsync(answer, cancellationToken);
        return [];
    }

    /// <summary>Who handed an escalated thread to staff, as the inbox shows it.</summary>
    public const string SafeguardingRequester = "safeguarding";

    /// <summary>The handoff reason of an escalated thread: <c>safeguarding: self_harm</c>.</summary>
    public static string SafeguardingReason(SafeguardingCategory category) =>
        "safeguarding: " + System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(category.ToString());
}
