using System.Text.Json;
using Comx.Tests.Infrastructure;

namespace Comx.Tests.Chat;

/// <summary>Enquiries read and closed, templates changed, deleted and rendered: roles, tenancy and idempotency.</summary>
public sealed class StaffToolsTests : IAsyncLifetime
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

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, int status) => await (await _app.Client.SendAsync(request, Token)).JsonAsync(status);

    private async Task<string> NewEnquiryAsync()
    {
        var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/enquiries", TestApp.Json(new
        {
            widget_key = _org.WidgetKey, name = "Sam Parent", email = "sam@example.org", message = "Do you have places in Year 3?", consent = true,
        }), TestSettings.NewIp());
        request.Headers.Add("Origin", ChatTestOrg.Origin);
        return (await SendAsync(request, 201)).GetProperty("enquiry_id").GetString()!;
    }

    [Fact]
    public async Task Enquiry_IsReadAndClosed_ClosingTwiceChangesNothing_AndOtherOrgsGet404()
    {
        var enquiryId = await NewEnquiryAsync();
        var one = await SendAsync(_org.Org.AsMember(HttpMethod.Get, $"/api/org/v1/enquiries/{enquiryId}"), 200);
        Assert.Equal(enquiryId, one.GetProperty("enquiry_id").GetString());
        Assert.Equal("open", one.GetProperty("status").GetString());
        Assert.Equal("Do you have places in Year 3?", one.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, one.GetProperty("closed_at").ValueKind);

        var other = await TestOrg.CreateAsync(_app);
        await (await _app.Client.SendAsync(other.AsAdmin(HttpMethod.Get, $"/api/org/v1/enquiries/{enquiryId}"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(other.AsAdmin(HttpMethod.Post, $"/api/org/v1/enquiries/{enquiryId}/close"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/enquiries/enq_nothing"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(TestApp.Request(HttpMethod.Post, $"/api/org/v1/enquiries/{enquiryId}/close"), Token)).ErrorAsync(401, "COMX_UNAUTHENTICATED");

        var closed = await SendAsync(_org.Org.AsKey(HttpMethod.Post, $"/api/org/v1/enquiries/{enquiryId}/close"), 200);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        var closedAt = closed.GetProperty("closed_at").GetDateTimeOffset();
        var again = await SendAsync(_org.Org.AsMember(HttpMethod.Post, $"/api/org/v1/enquiries/{enquiryId}/close"), 200);
        Assert.Equal(closedAt, again.GetProperty("closed_at").GetDateTimeOffset());

        var list = await SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/enquiries"), 200);
        var listed = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal("closed", listed.GetProperty("status").GetString());
    }

    private async Task<JsonElement> NewTemplateAsync(TestOrg org, string body = "Dear {{parent_name}}, {{ child.first_name }} starts on {{start_date}}.") =>
        await SendAsync(org.AsMember(HttpMethod.Post, "/api/org/v1/templates", TestApp.Json(new { name = "Welcome", category = "admissions", body })), 201);

    [Fact]
    public async Task Template_IsUpdatedRenderedAndDeleted()
    {
        var created = await NewTemplateAsync(_org.Org);
        var id = created.GetProperty("template_id").GetString()!;

        var updated = await SendAsync(_org.Org.AsMember(HttpMethod.Put, $"/api/org/v1/templates/{id}",
            TestApp.Json(new { name = "Welcome letter", body = "Hello {{parent_name}}, see you on {{start_date}}." })), 200);
        Assert.Equal("Welcome letter", updated.GetProperty("name").GetString());
        Assert.Equal("general", updated.GetProperty("category").GetString());
        Assert.Equal(["parent_name", "start_date"], updated.GetProperty("variables").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(_org.Org.MemberUserId, updated.GetProperty("updated_by").GetString());

        var rendered = await SendAsync(_org.Org.AsKey(HttpMethod.Post, $"/api/org/v1/templates/{id}/render",
            TestApp.Json(new { variables = new Dictionary<string, string> { ["parent_name"] = "Ms Okafor", ["start_date"] = "2 September", ["unused"] = "x" } })), 200);
        Assert.Equal("Hello Ms Okafor, see you on 2 September.", rendered.GetProperty("text").GetString());

        var missing = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, $"/api/org/v1/templates/{id}/render",
            TestApp.Json(new { variables = new Dictionary<string, string> { ["parent_name"] = "Ms Okafor" } })), Token)).ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("variables.start_date", missing.GetProperty("details").GetProperty("field").GetString());
        Assert.Contains("start_date", missing.GetProperty("message").GetString(), StringComparison.Ordinal);

        var badBody = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Put, $"/api/org/v1/templates/{id}",
            TestApp.Json(new { name = "Broken", body = "Hello {{parent_name" })), Token)).ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("body", badBody.GetProperty("details").GetProperty("field").GetString());

        var list = await SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/templates"), 200);
        Assert.Equal("Welcome letter", Assert.Single(list.GetProperty("data").EnumerateArray()).GetProperty("name").GetString());

        Assert.Equal(204, (int)(await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Delete, $"/api/org/v1/templates/{id}"), Token)).StatusCode);
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Delete, $"/api/org/v1/templates/{id}"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, $"/api/org/v1/templates/{id}/render", TestApp.Json(new { variables = new { } })), Token))
            .ErrorAsync(404, "COMX_NOT_FOUND");
        Assert.Empty((await SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/templates"), 200)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task AnotherOrgsTemplate_IsNotFound_AndDeleteWithTheSameKeyReplays()
    {
        var id = (await NewTemplateAsync(_org.Org)).GetProperty("template_id").GetString()!;
        var other = await TestOrg.CreateAsync(_app);
        await (await _app.Client.SendAsync(other.AsAdmin(HttpMethod.Put, $"/api/org/v1/templates/{id}", TestApp.Json(new { name = "x", body = "y" })), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(other.AsAdmin(HttpMethod.Delete, $"/api/org/v1/templates/{id}"), Token)).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(other.AsAdmin(HttpMethod.Post, $"/api/org/v1/templates/{id}/render", TestApp.Json(new { variables = new { } })), Token))
            .ErrorAsync(404, "COMX_NOT_FOUND");

        var key = "del-" + Guid.NewGuid().ToString("N");
        var first = _org.Org.AsMember(HttpMethod.Delete, $"/api/org/v1/templates/{id}");
        first.Headers.Add("Idempotency-Key", key);
        Assert.Equal(204, (int)(await _app.Client.SendAsync(first, Token)).StatusCode);
        var second = _org.Org.AsMember(HttpMethod.Delete, $"/api/org/v1/templates/{id}");
        second.Headers.Add("Idempotency-Key", key);
        var replay = await _app.Client.SendAsync(second, Token);
        Assert.Equal(204, (int)replay.StatusCode);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
    }
}
