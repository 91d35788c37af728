using Comx.Core.Events;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Chat;

public sealed class EnquiryTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private ChatTestOrg _org = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _org = await ChatTestOrg.CreateAsync(_app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static HttpRequestMessage Enquiry(object body, string? ip = null)
    {
        var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/enquiries", TestApp.Json(body), ip ?? TestSettings.NewIp());
        request.Headers.Add("Origin", ChatTestOrg.Origin);
        return request;
    }

    [Fact]
    public async Task ValidEnquiry_IsStoredVisibleToTheOrgAndRaisesAnEvent()
    {
        var visitor = await _org.StartAsync(_app);
        var created = await (await _app.Client.SendAsync(Enquiry(new
        {
            widget_key = _org.WidgetKey, name = "Sam Parent", email = "sam@example.org", message = "Is there a waiting list for Reception?",
            phone = "+44 7700 900123", consent = true, session_id = visitor.SessionId,
        }))).JsonAsync(201);
        var enquiryId = created.GetProperty("enquiry_id").GetString();
        Assert.StartsWith("enq_", enquiryId, StringComparison.Ordinal);

        var list = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/enquiries"))).JsonAsync(200);
        var stored = list.GetProperty("data").EnumerateArray().Single(e => e.GetProperty("enquiry_id").GetString() == enquiryId);
        Assert.Equal("sam@example.org", stored.GetProperty("email").GetString());
        Assert.Equal(visitor.SessionId, stored.GetProperty("session_id").GetString());

        var outbox = await _app.Services.GetRequiredService<EventStore>().ListAsync(_org.Org.OrgId, 100);
        Assert.Contains(outbox, e => e.Type == EventTypes.EnquiryCreated && e.Json.Contains(enquiryId!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidEnquiry_ListsFieldErrors_AndStoresNothing()
    {
        var error = await (await _app.Client.SendAsync(Enquiry(new
        {
            widget_key = _org.WidgetKey, name = "", email = "not-an-email", message = "Hello", consent = false,
        }))).ErrorAsync(400, "COMX_VALIDATION_ERROR");
        var fields = error.GetProperty("details").GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Equal(["name", "email", "consent"], fields);

        var list = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/enquiries"))).JsonAsync(200);
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task SixthEnquiryInAMinute_Returns429()
    {
        await TestSettings.FreshRateWindowAsync();
        var ip = TestSettings.NewIp();
        var body = new { widget_key = _org.WidgetKey, name = "Sam", email = "sam@example.org", message = "Hello", consent = true };
        for (var i = 0; i < 5; i++)
        {
            await (await _app.Client.SendAsync(Enquiry(body, ip))).JsonAsync(201);
        }

        await (await _app.Client.SendAsync(Enquiry(body, ip))).ErrorAsync(429, "COMX_RATE_LIMITED");
    }
}
