using Comx.Core.Identity;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Identity;

public sealed class ClerkWebhookTests : IAsyncLifetime
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private OrgDirectory Directory => _app.Services.GetRequiredService<OrgDirectory>();

    private static string NewId(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..16];

    private static string OrgEvent(string type, string orgId, string name, long timestamp) =>
        $$"""{"data":{"id":"{{orgId}}","object":"organization","name":"{{name}}","slug":"s","created_at":{{timestamp}},"updated_at":{{timestamp}}},"object":"event","type":"{{type}}","timestamp":{{timestamp}},"instance_id":"ins_1"}""";

    private static string OrgDeleted(string orgId, long timestamp) =>
        $$"""{"data":{"deleted":true,"id":"{{orgId}}","object":"organization"},"object":"event","type":"organization.deleted","timestamp":{{timestamp}}}""";

    private static string Membership(string type, string membershipId, string orgId, string userId, string role, long timestamp) =>
        $$"""{"data":{"id":"{{membershipId}}","object":"organization_membership","role":"{{role}}","organization":{"id":"{{orgId}}","name":"Acme","slug":"acme"},"public_user_data":{"user_id":"{{userId}}","identifier":"a@ex.com"},"created_at":{{timestamp}},"updated_at":{{timestamp}}},"object":"event","type":"{{type}}","timestamp":{{timestamp}}}""";

    [Fact]
    public async Task SignedEvents_CreateOrgAndMember_WhoCanThenAuthenticate()
    {
        var (orgId, userId) = (NewId("org"), NewId("user"));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgEvent("organization.created", orgId, "Acme School", now)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(Membership("organizationMembership.created", NewId("orgmem"), orgId, userId, "admin", now)))).JsonAsync(200);

        var request = TestApp.Request(HttpMethod.Get, "/api/org/v1/me", ip: TestSettings.NewIp());
        request.Bearer(TestClerk.SessionToken(userId, orgId, "org:admin"));
        var me = await (await _app.Client.SendAsync(request)).JsonAsync(200);
        Assert.Equal("Acme School", me.GetProperty("org_name").GetString());
        Assert.Equal("org:admin", me.GetProperty("caller").GetProperty("role").GetString());
    }

    [Theory]
    [InlineData("bad signature")]
    [InlineData("wrong secret")]
    [InlineData("expired")]
    [InlineData("future")]
    [InlineData("re-serialised")]
    [InlineData("missing headers")]
    public async Task BadSignature_Returns401AndChangesNothing(string how)
    {
        var orgId = NewId("org");
        var body = OrgEvent("organization.created", orgId, "Nope", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var request = how switch
        {
            "wrong secret" => WebhookSigning.Clerk(body, secret: "whsec_" + Convert.ToBase64String(new byte[24])),
            "expired" => WebhookSigning.Clerk(body, at: DateTimeOffset.UtcNow.AddMinutes(-6)),
            "future" => WebhookSigning.Clerk(body, at: DateTimeOffset.UtcNow.AddMinutes(6)),
            _ => WebhookSigning.Clerk(body),
        };
        if (how == "bad signature")
        {
            request.Headers.Remove("svix-signature");
            request.Headers.Add("svix-signature", "v1," + Convert.ToBase64String(new byte[32]));
        }
        else if (how == "re-serialised")
        {
            // Same JSON, re-serialised with different whitespace after signing.
            request.Content = TestApp.RawJson(System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(body).RootElement, Indented));
        }
        else if (how == "missing headers")
        {
            request.Headers.Remove("svix-id");
        }

        await (await _app.Client.SendAsync(request)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        Assert.Null(await Directory.GetOrgAsync(orgId));
    }

    [Fact]
    public async Task ReplayedEventId_Returns200AndChangesNothing()
    {
        var orgId = NewId("org");
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var svixId = NewId("msg");
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgEvent("organization.created", orgId, "First", t), svixId))).JsonAsync(200);
        var replay = await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgEvent("organization.updated", orgId, "Second", t + 1000), svixId))).JsonAsync(200);
        Assert.True(replay.GetProperty("duplicate").GetBoolean());
        Assert.Equal("First", (await Directory.GetOrgAsync(orgId))!.Name);
    }

    [Fact]
    public async Task OlderUpdateAfterNewer_IsIgnored()
    {
        var orgId = NewId("org");
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgEvent("organization.updated", orgId, "Newer", t)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgEvent("organization.created", orgId, "Older", t - 5000)))).JsonAsync(200);
        Assert.Equal("Newer", (await Directory.GetOrgAsync(orgId))!.Name);
    }

    [Fact]
    public async Task DeletedOrg_IsNotResurrectedByLaterOrEarlierEvents()
    {
        var orgId = NewId("org");
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgEvent("organization.created", orgId, "Acme", t)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgDeleted(orgId, t + 2000)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgEvent("organization.updated", orgId, "Late", t + 1000)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(OrgEvent("organization.updated", orgId, "Later", t + 9000)))).JsonAsync(200);
        Assert.Equal(RecordStatus.Deleted, (await Directory.GetOrgAsync(orgId))!.Status);
    }

    [Fact]
    public async Task DeletedMembership_IsNotResurrectedByAnOlderCreate_ButANewMembershipCounts()
    {
        var (orgId, userId, membershipId) = (NewId("org"), NewId("user"), NewId("orgmem"));
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(Membership("organizationMembership.deleted", membershipId, orgId, userId, "admin", t + 1000)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(Membership("organizationMembership.created", membershipId, orgId, userId, "admin", t)))).JsonAsync(200);
        Assert.Equal(RecordStatus.Deleted, (await Directory.GetMembershipAsync(orgId, userId))!.Status);

        await (await _app.Client.SendAsync(WebhookSigning.Clerk(Membership("organizationMembership.created", NewId("orgmem"), orgId, userId, "basic_member", t + 5000)))).JsonAsync(200);
        var again = (await Directory.GetMembershipAsync(orgId, userId))!;
        Assert.Equal(RecordStatus.Active, again.Status);
        Assert.Equal("org:member", again.Role);
    }

    [Fact]
    public async Task DeletedUser_StopsAuthenticatingAtOnce()
    {
        var org = await TestOrg.CreateAsync(_app);
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/me"))).JsonAsync(200);
        var body = $$"""{"data":{"deleted":true,"id":"{{org.MemberUserId}}","object":"user"},"object":"event","type":"user.deleted","timestamp":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}""";
        await (await _app.Client.SendAsync(WebhookSigning.Clerk(body))).JsonAsync(200);
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/me"))).ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }

    [Fact]
    public async Task UnknownEventType_Returns200Ignored()
    {
        var body = """{"data":{"id":"sess_1"},"object":"event","type":"session.created","timestamp":1}""";
        var receipt = await (await _app.Client.SendAsync(WebhookSigning.Clerk(body))).JsonAsync(200);
        Assert.True(receipt.GetProperty("ignored").GetBoolean());
    }

    [Fact]
    public async Task SignatureFromTheOfficialSvixPackage_Verifies()
    {
        var orgId = NewId("org");
        var body = OrgEvent("organization.created", orgId, "Signed by svix", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var svixId = NewId("msg");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (exit, output, error) = await Node.RunAsync("tools/sign-svix.mjs", TestClerk.WebhookSecret, svixId, timestamp, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)));
        Assert.True(exit == 0, error);

        var request = TestApp.Request(HttpMethod.Post, "/api/webhooks/clerk", TestApp.RawJson(body), TestSettings.NewIp());
        request.Headers.Add("svix-id", svixId);
        request.Headers.Add("svix-timestamp", timestamp);
        request.Headers.Add("svix-signature", output.Trim());
        await (await _app.Client.SendAsync(request)).JsonAsync(200);
        Assert.Equal("Signed by svix", (await Directory.GetOrgAsync(orgId))!.Name);
    }
}
