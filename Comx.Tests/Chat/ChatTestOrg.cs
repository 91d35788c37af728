using System.Text.Json;
using Comx.Core.Identity;
using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Chat;

/// <summary>
/// An organisation ready to chat: a widget, and knowledge published straight into its retrieval index (the ingestion
/// pipeline is tested on its own in Comx.Tests.Knowledge; here only the answer path is under test).
/// </summary>
public sealed record ChatTestOrg(TestOrg Org, string WidgetKey)
{
    public const string Origin = "https://www.hillside.example";

    public static readonly IReadOnlyList<IndexedChunk> Knowledge =
    [
        new("chk_terms", "src_terms", "Term dates 2026–27", "https://www.hillside.example/term-dates", "Autumn term",
            "Autumn term starts on Wednesday 2 September 2026 and ends on Friday 18 December 2026. Half term is from 26 to 30 October."),
        new("chk_uniform", "src_uniform", "School uniform", "https://www.hillside.example/uniform", "What to wear",
            "Pupils wear a navy jumper with the school logo, a white polo shirt and grey trousers or skirt. Black shoes, not trainers."),
        new("chk_lunch", "src_lunch", "School lunches", null, "Paying for lunches",
            "School lunches cost £2.60 a day and are paid online through ParentPay. Reception to Year 2 lunches are free."),
        new("chk_clubs", "src_clubs", "After-school clubs", "https://www.hillside.example/clubs", "Clubs",
            "After-school clubs run from 3:15pm to 4:30pm. Football is on Mondays, choir on Tuesdays and coding club on Thursdays."),
    ];

    /// <param name="app">The app.</param>
    /// <param name="knowledge">The chunks to publish (default <see cref="Knowledge"/>).</param>
    /// <param name="withVectors">Embed the chunks with the app's embedding generator (the real local model), as ingest does.</param>
    /// <param name="handoffEnabled">The widget's handoff setting.</param>
    public static async Task<ChatTestOrg> CreateAsync(TestApp app, IReadOnlyList<IndexedChunk>? knowledge = null, bool withVectors = false, bool handoffEnabled = true)
    {
        ArgumentNullException.ThrowIfNull(app);
        var org = await TestOrg.CreateAsync(app);
        var widgets = app.Services.GetRequiredService<WidgetSettingsStore>();
        await widgets.GetOrCreateAsync(org.OrgId);
        var settings = await widgets.UpdateAsync(org.OrgId, new WidgetSettingsRequest([Origin], "Hello from Hillside!", HandoffEnabled: handoffEnabled));
        var chunks = knowledge ?? Knowledge;
        var index = withVectors
            ? (await ChunkEmbedding.EmbedAsync(chunks, Bm25Index.Empty, app.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), CancellationToken.None)).Build()
            : Bm25Index.Build(chunks);
        await app.Services.GetRequiredService<RetrievalIndexStore>().PublishAsync(org.OrgId, index);
        return new ChatTestOrg(org, settings.WidgetKey);
    }

    public async Task<ChatVisitor> StartAsync(TestApp app, string? learnerId = null, string? ip = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ip ??= TestSettings.NewIp();
        var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
            TestApp.Json(new { widget_key = WidgetKey, learner_id = learnerId }), ip);
        request.Headers.Add("Origin", Origin);
        var session = await (await app.Client.SendAsync(request)).JsonAsync(201);
        return new ChatVisitor(app, session.GetProperty("session_id").GetString()!, session.GetProperty("session_token").GetString()!, ip);
    }
}

/// <summary>A visitor with a session, sending from one address and the org's site origin.</summary>
public sealed record ChatVisitor(TestApp App, string SessionId, string Token, string Ip)
{
    public HttpRequestMessage Message(string text, string? token = null)
    {
        var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/messages", TestApp.Json(new { session_id = SessionId, message = text }), Ip);
        request.Headers.Add("X-Session-Token", token ?? Token);
        request.Headers.Add("Origin", ChatTestOrg.Origin);
        return request;
    }

    public async Task<JsonElement> AskAsync(string text) => await (await App.Client.SendAsync(Message(text))).JsonAsync(200);

    public async Task<JsonElement> MessagesAsync(string? after = null)
    {
        var request = TestApp.Request(HttpMethod.Get, $"/api/public/v1/chat/sessions/{SessionId}/messages" + (after is null ? "" : "?after=" + after), ip: Ip);
        request.Headers.Add("X-Session-Token", Token);
        return await (await App.Client.SendAsync(request)).JsonAsync(200);
    }
}
