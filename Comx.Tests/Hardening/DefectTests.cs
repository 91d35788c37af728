using System.Net;
using System.Net.Sockets;
using Comx.Core.Identity;
using Comx.Tests.Chat;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Hardening;

/// <summary>One test per defect of issue 14 that TestServer can show (the Kestrel-only ones are in <see cref="KestrelRefusalTests"/>).</summary>
public sealed class DefectTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ChatSession_NullInsideMetadata_Is400NamingTheEntry()
    {
        var response = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
            TestApp.RawJson("""{"widget_key":"comx_pk_nothing","metadata":{"a":null}}"""), TestSettings.NewIp()));
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("metadata.a", error.GetProperty("details").GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("resolve", "{}")]
    [InlineData("messages", """{"text":"hello"}""")]
    public async Task ThreadIdWithEncodedSlash_Is404(string action, string body)
    {
        var org = await TestOrg.CreateAsync(_app);
        var response = await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, $"/api/org/v1/inbox/threads/x%2Fy/{action}", TestApp.RawJson(body)));
        await response.ErrorAsync(404, "COMX_NOT_FOUND");
    }

    [Fact]
    public async Task Cors_OriginOfAnotherOrg_GetsNoGrantOnThisOrgsRequests()
    {
        var orgA = await ChatTestOrg.CreateAsync(_app);
        var orgB = await TestOrg.CreateAsync(_app);
        var widgets = _app.Services.GetRequiredService<WidgetSettingsStore>();
        await widgets.GetOrCreateAsync(orgB.OrgId);
        const string originB = "https://www.other-school.example";
        await widgets.UpdateAsync(orgB.OrgId, new WidgetSettingsRequest([originB], "Hello from B", HandoffEnabled: false));

        async Task<HttpResponseMessage> StartSession(string origin)
        {
            var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions", TestApp.Json(new { widget_key = orgA.WidgetKey }), TestSettings.NewIp());
            request.Headers.Add("Origin", origin);
            return await _app.Client.SendAsync(request);
        }

        var foreign = await StartSession(originB);
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"), "org B's origin must not be granted on org A's widget");
        var own = await StartSession(ChatTestOrg.Origin);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(ChatTestOrg.Origin, own.Header("Access-Control-Allow-Origin"));

        // The session's own routes are granted by the session's organisation too.
        var sessionId = (await own.JsonAsync(201)).GetProperty("session_id").GetString();
        var read = TestApp.Request(HttpMethod.Get, $"/api/public/v1/chat/sessions/{sessionId}/messages", ip: TestSettings.NewIp());
        read.Headers.Add("Origin", originB);
        Assert.False((await _app.Client.SendAsync(read)).Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("/api/org/v1/webhooks")]
    [InlineData("/api/org/v1/webhooks/whk_none/deliveries")]
    public async Task Member_CannotListWebhookSubscriptions(string path)
    {
        var org = await TestOrg.CreateAsync(_app);
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, path))).ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.NotEqual(HttpStatusCode.Forbidden, (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, path))).StatusCode);
    }

    [Fact]
    public async Task JsonResponses_CarryNosniff()
    {
        var ok = await _app.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.Equal("nosniff", ok.Header("X-Content-Type-Options"));
        var notFound = await _app.Client.GetAsync(new Uri("/api/nothing", UriKind.Relative));
        Assert.Equal("nosniff", notFound.Header("X-Content-Type-Options"));
    }

    [Fact]
    public async Task OpenApi_PublicRequestSchemas_DoNotLeakIdempotencyScope()
    {
        var document = await _app.Client.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative));
        Assert.DoesNotContain("idempotency_scope", document, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"organization.updated","timestamp":"soon","data":{"id":"ORG","name":"Acme","slug":"acme"}}""")]
    [InlineData("""{"type":"organization.updated","timestamp":1735689600000,"data":{"id":"ORG","name":"LONG","slug":"acme","updated_at":"x"}}""")]
    [InlineData("""{"type":"user.updated","timestamp":1735689600000,"data":{"id":"user_hx","first_name":7,"email_addresses":"none","primary_email_address_id":[]}}""")]
    public async Task SignedClerkEvent_WithFieldsOfUnexpectedTypes_IsAcknowledgedNot500(string template)
    {
        var orgId = "org_h" + Guid.NewGuid().ToString("N")[..10];
        var body = template.Replace("ORG", orgId, StringComparison.Ordinal).Replace("LONG", new string('n', 900_000), StringComparison.Ordinal);
        var response = await _app.Client.SendAsync(WebhookSigning.Clerk(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}");
        if (template.StartsWith("""{"type":"organization""", StringComparison.Ordinal))
        {
            var org = await _app.Services.GetRequiredService<OrgDirectory>().GetOrgAsync(orgId);
            Assert.NotNull(org);
            Assert.True(org.Name.Length <= 256);
        }
    }

    [Theory]
    [InlineData("\"items\":\"si_1\"")]
    [InlineData("\"items\":null")]
    [InlineData("\"items\":{\"data\":[\"si_1\",\"si_2\"]}")]
    [InlineData("\"items\":{\"data\":[{\"price\":7}]}")]
    [InlineData("\"items\":{\"data\":\"none\"}")]
    public async Task SignedStripeSubscription_WithItemsOfUnexpectedShape_IsNot500(string items)
    {
        var id = "evt_h" + Guid.NewGuid().ToString("N");
        var body = "{\"id\":\"" + id + "\",\"object\":\"event\",\"type\":\"customer.subscription.updated\",\"created\":1735689600,\"data\":{\"object\":{\"id\":\"sub_h1\",\"customer\":\"cus_h" + id[5..15] + "\",\"status\":\"active\"," + items + "}}}";
        var response = await _app.Client.SendAsync(WebhookSigning.Stripe(body));
        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task StorageUnreachable_Is503ProviderUnavailableAndRetryable()
    {
        var port = FreePort();
        var down = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["AzureWebJobsStorage"] = down }, skipStorageStartup: true);
        var session = await app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
            TestApp.Json(new { widget_key = "comx_pk_abcdefghijklmnopqrstuvwx" }), TestSettings.NewIp()));
        var error = await session.ErrorAsync(503, "COMX_PROVIDER_UNAVAILABLE");
        Assert.True(error.GetProperty("retryable").GetBoolean());

        var org = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/org/v1/sources", ip: TestSettings.NewIp()).WithBearer("comx_sk_" + new string('a', 40)));
        await org.ErrorAsync(503, "COMX_PROVIDER_UNAVAILABLE");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal static class RequestExtensions
{
    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string credential)
    {
        request.Bearer(credential);
        return request;
    }
}
