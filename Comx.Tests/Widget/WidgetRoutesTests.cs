using System.Net;
using Comx.Core.Identity;
using Comx.DevHost;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Widget;

/// <summary>The widget's routes over HTTP: the script with its caching headers, its display settings, learner prefs on the session, and the demo page.</summary>
public sealed class WidgetRoutesTests
{
    private const string Site = "https://www.hillside.example";

    [Fact]
    public async Task WidgetScript_IsJavaScriptCacheableWithAStrongETag_And304WhenItMatches()
    {
        await using var app = await TestApp.StartAsync();
        using var response = await app.Client.GetAsync("/api/public/v1/widget.js");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("public, max-age=300", response.Headers.CacheControl!.ToString());
        var etag = response.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Contains("data-widget-key", body, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Node.Root, "widget", "comx-widget.js")), body);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/public/v1/widget.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", $"\"other\", {etag.Tag}");
        using var notModified = await app.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag.Tag, notModified.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task WidgetConfig_ReturnsDisplaySettings_AndRefusesAnOriginNotAllowed()
    {
        await using var app = await TestApp.StartAsync();
        var (_, key) = await CreateWidgetAsync(app);

        using var allowed = TestApp.Request(HttpMethod.Get, $"/api/public/v1/widget-config?widget_key={key}", ip: TestSettings.NewIp());
        allowed.Headers.Add("Origin", Site);
        using var response = await app.Client.SendAsync(allowed);
        var config = await response.JsonAsync(200);
        Assert.Equal("Hello from Hillside.", config.GetProperty("greeting").GetString());
        Assert.Equal("#0b5394", config.GetProperty("theme").GetProperty("primary_color").GetString());
        Assert.True(config.GetProperty("handoff_enabled").GetBoolean());
        Assert.False(config.GetProperty("enquiries_enabled").GetBoolean());
        Assert.Equal(Site, response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("120", response.Header("X-RateLimit-Limit"));
        Assert.False(config.TryGetProperty("allowed_origins", out _));

        using var other = TestApp.Request(HttpMethod.Get, $"/api/public/v1/widget-config?widget_key={key}", ip: TestSettings.NewIp());
        other.Headers.Add("Origin", "https://evil.example");
        await (await app.Client.SendAsync(other)).ErrorAsync(403, "COMX_FORBIDDEN");

        await (await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/public/v1/widget-config?widget_key=comx_pk_nope", ip: TestSettings.NewIp())))
            .ErrorAsync(404, "COMX_NOT_FOUND");
        await (await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/public/v1/widget-config", ip: TestSettings.NewIp())))
            .ErrorAsync(400, "COMX_VALIDATION_ERROR");
    }

    [Fact]
    public async Task SessionWithLearnerId_CarriesTheDisplayPreferences_AndWithoutOneCarriesNone()
    {
        await using var app = await TestApp.StartAsync();
        var (org, key) = await CreateWidgetAsync(app);
        var learner = "lrn_" + Guid.NewGuid().ToString("N")[..10];
        await (await app.Client.SendAsync(org.AsKey(HttpMethod.Put, $"/api/org/v1/learner-accessibility/{learner}", TestApp.Json(new
        {
            reading_level = "easy_read", font_scale = 1.25, dyslexia_font = true, high_contrast = false, reduce_motion = true, text_to_speech = false, language = "cy",
        })))).JsonAsync(200);

        var withLearner = await (await app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
            TestApp.Json(new { widget_key = key, learner_id = learner }), TestSettings.NewIp()))).JsonAsync(201);
        var prefs = withLearner.GetProperty("accessibility");
        Assert.Equal(1.25, prefs.GetProperty("font_scale").GetDouble());
        Assert.True(prefs.GetProperty("dyslexia_font").GetBoolean());
        Assert.True(prefs.GetProperty("reduce_motion").GetBoolean());
        Assert.Equal("cy", prefs.GetProperty("language").GetString());
        Assert.False(prefs.TryGetProperty("reading_level", out _));

        var anonymous = await (await app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
            TestApp.Json(new { widget_key = key }), TestSettings.NewIp()))).JsonAsync(201);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, anonymous.GetProperty("accessibility").ValueKind);
    }

    [Fact]
    public async Task DemoPage_EmbedsTheDemoOrgsWidget_WithAnEscapedLearnerId()
    {
        await using var app = await TestApp.StartAsync();
        var demo = await app.Services.GetRequiredService<WidgetSettingsStore>().GetOrCreateAsync(DemoOrg.OrgId);
        foreach (var path in new[] { "/", "/demo" })
        {
            using var response = await app.Client.GetAsync(path + "?learner=a%22b%3Cc");
            var html = await response.Content.ReadAsStringAsync();
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains($"<script src=\"/api/public/v1/widget.js\" data-widget-key=\"{demo.WidgetKey}\" data-learner-id=\"a&quot;b&lt;c\" async></script>", html, StringComparison.Ordinal);
        }
    }

    private static async Task<(TestOrg Org, string Key)> CreateWidgetAsync(TestApp app)
    {
        var org = await TestOrg.CreateAsync(app);
        var widgets = app.Services.GetRequiredService<WidgetSettingsStore>();
        await widgets.GetOrCreateAsync(org.OrgId);
        var settings = await widgets.UpdateAsync(org.OrgId, new WidgetSettingsRequest([Site], "Hello from Hillside.", HandoffEnabled: true,
            new WidgetTheme("#0b5394", "left", "Ask Hillside"), EnquiriesEnabled: false));
        return (org, settings.WidgetKey);
    }
}
