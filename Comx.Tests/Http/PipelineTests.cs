using System.Net;
using System.Text;
using Comx.Tests.Infrastructure;

namespace Comx.Tests.Http;

public sealed class PipelineTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(ProbeRoutes.Add);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task UnknownRoute_Returns404Envelope()
    {
        var response = await _app.Client.GetAsync(new Uri("/api/nothing/here", UriKind.Relative));
        await response.ErrorAsync(404, "COMX_NOT_FOUND");
    }

    [Fact]
    public async Task PathOutsideApi_Returns404Envelope()
    {
        var response = await _app.Client.GetAsync(new Uri("/favicon.ico", UriKind.Relative));
        await response.ErrorAsync(404, "COMX_NOT_FOUND");
    }

    [Fact]
    public async Task WrongMethod_Returns405WithAllow()
    {
        var response = await _app.Client.DeleteAsync(new Uri("/api/health", UriKind.Relative));
        await response.ErrorAsync(405, "COMX_METHOD_NOT_ALLOWED");
        Assert.Equal("GET", string.Join(",", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task MalformedJson_Returns400()
    {
        var response = await _app.Client.PostAsync(new Uri("/api/test/v1/probe", UriKind.Relative), TestApp.RawJson("{\"name\": \"a\", "));
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.False(error.GetProperty("retryable").GetBoolean());
    }

    [Fact]
    public async Task WrongContentType_Returns400NamingContentType()
    {
        var response = await _app.Client.PostAsync(new Uri("/api/test/v1/probe", UriKind.Relative),
            new StringContent("{\"name\":\"a\",\"count\":1}", Encoding.UTF8, "text/plain"));
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("content_type", error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task MissingRequiredField_NamesTheField()
    {
        var response = await _app.Client.PostAsync(new Uri("/api/test/v1/probe", UriKind.Relative), TestApp.RawJson("{\"count\":1}"));
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("name", error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task WrongFieldType_NamesTheField()
    {
        var response = await _app.Client.PostAsync(new Uri("/api/test/v1/probe", UriKind.Relative), TestApp.RawJson("{\"name\":\"a\",\"count\":\"many\"}"));
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("count", error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task UnknownField_IsRefusedByName()
    {
        var response = await _app.Client.PostAsync(new Uri("/api/test/v1/probe", UriKind.Relative), TestApp.RawJson("{\"name\":\"a\",\"count\":1,\"colour\":\"red\"}"));
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("colour", error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task FailedValidation_ListsEveryFieldError()
    {
        var response = await _app.Client.PostAsync(new Uri("/api/test/v1/probe", UriKind.Relative), TestApp.RawJson("{\"name\":\"a\",\"count\":11,\"email\":\"nope\"}"));
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        var details = error.GetProperty("details");
        Assert.Equal("count", details.GetProperty("field").GetString());
        Assert.Equal(["count", "email"], details.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToArray());
    }

    [Fact]
    public async Task ValidRequest_IsParsedSnakeCaseAndEchoed()
    {
        var response = await _app.Client.PostAsync(new Uri("/api/test/v1/probe", UriKind.Relative), TestApp.RawJson("{\"name\":\"Zoë\",\"count\":3,\"email\":null}"));
        var body = await response.JsonAsync(200);
        Assert.Equal("Zoë", body.GetProperty("name").GetString());
        Assert.Equal(3, body.GetProperty("count").GetInt32());
        Assert.StartsWith("req_", response.Header("X-Request-Id"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyOverOneMegabyte_Returns413()
    {
        var big = "{\"name\":\"" + new string('x', (1024 * 1024) + 10) + "\",\"count\":1}";
        var response = await _app.Client.PostAsync(new Uri("/api/test/v1/probe", UriKind.Relative), TestApp.RawJson(big));
        await response.ErrorAsync(413, "COMX_PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task ChunkedBodyOverOneMegabyte_Returns413()
    {
        var big = Encoding.UTF8.GetBytes("{\"name\":\"" + new string('x', (1024 * 1024) + 10) + "\",\"count\":1}");
        using var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/test/v1/probe") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await _app.Client.SendAsync(request);
        await response.ErrorAsync(413, "COMX_PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task UnhandledException_Returns500WithoutInternals()
    {
        var response = await _app.Client.GetAsync(new Uri("/api/test/v1/boom", UriKind.Relative));
        var error = await response.ErrorAsync(500, "COMX_INTERNAL_ERROR");
        var text = error.ToString();
        Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ReportsStorageOk()
    {
        var response = await _app.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
        var body = await response.JsonAsync(200);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("storage").GetString());
        Assert.True(body.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public async Task Health_WhenStorageIsUnreachable_Returns503()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;",
        }, skipStorageStartup: true);
        var response = await app.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
        var body = await response.JsonAsync(503);
        Assert.Equal("unreachable", body.GetProperty("storage").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
