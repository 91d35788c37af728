using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Comx.Core.Storage;
using Comx.DevHost;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Comx.Tests.Infrastructure;

/// <summary>
/// The DevHost's real composition on an in-process TestServer, over the shared Azurite. Requests go through real HTTP
/// handling (ASP.NET Core's pipeline and our request pipeline); nothing below storage is faked.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app)
    {
        App = app;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public ComxStorage Storage => Services.GetRequiredService<ComxStorage>();

    public static async Task<TestApp> StartAsync(Action<IServiceCollection>? services = null, IDictionary<string, string?>? settings = null,
        bool backgroundJobs = false, bool skipStorageStartup = false)
    {
        var builder = DevHostApp.CreateBuilder([], backgroundJobs);
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(TestSettings.Defaults);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        services?.Invoke(builder.Services);
        if (skipStorageStartup)
        {
            builder.Services.RemoveAll<IHostedService>();
        }

        var app = DevHostApp.Configure(builder.Build());
        await app.StartAsync();
        return new TestApp(app);
    }

    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body, Core.Http.ComxJson.Options), Encoding.UTF8, "application/json");

    public static StringContent RawJson(string json) => new(json, Encoding.UTF8, "application/json");

    public static HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null, string? ip = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (ip is not null)
        {
            request.Headers.Add("X-Forwarded-For", ip);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public static class TestSettings
{
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = AzuriteFixture.ConnectionString,
        ["Comx:Network:ForwardedHops"] = "1",
        ["Comx:Network:AllowPrivateTargets"] = "true",
        ["Comx:Clerk:WebhookSecret"] = TestClerk.WebhookSecret,
        ["Comx:Clerk:JwtPublicKey"] = TestClerk.PublicKeyPem,
        ["Comx:Clerk:Issuer"] = TestClerk.Issuer,
        ["Comx:Clerk:AuthorizedParties"] = TestClerk.Dashboard,
        ["Comx:Stripe:WebhookSecret"] = TestClerk.StripeSecret,
        ["Comx:Stripe:PricePlans"] = "price_pro=pro,price_school=school",
    };

    /// <summary>
    /// Rate limits count in fixed one-minute windows. A test that fills a window must not straddle a minute boundary,
    /// so it starts only in the first 35 seconds of a minute (waiting at most 25 s for the next one).
    /// </summary>
    public static async Task FreshRateWindowAsync()
    {
        var now = DateTimeOffset.UtcNow;
        if (now.Second >= 35)
        {
            await Task.Delay(TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond) + TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>A storage client on the shared emulator, for tests that use stores without an app.</summary>
    public static ComxStorage Storage() => new(new ConfigurationBuilder().AddInMemoryCollection(Defaults).Build());

    /// <summary>
    /// A storage client whose queue endpoint is the blob port, so every queue message it sends fails while its tables
    /// work: as if the process stopped right after a commit, before the message went.
    /// </summary>
    public static ComxStorage StorageWhoseQueuesRefuse() => new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(Defaults)
    {
        ["AzureWebJobsStorage"] = AzuriteFixture.ConnectionString.Replace("QueueEndpoint=http://127.0.0.1:10001", "QueueEndpoint=http://127.0.0.1:10000", StringComparison.Ordinal),
    }).Build());

    /// <summary>A unique client address per test, so per-IP limits never leak between tests.</summary>
    public static string NewIp() => $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";
}

public static class HttpAssertions
{
    /// <summary>Reads the error envelope and checks its shape; returns the <c>error</c> object.</summary>
    public static async Task<JsonElement> ErrorAsync(this HttpResponseMessage response, int status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error").Clone();
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        var requestId = error.GetProperty("request_id").GetString();
        Assert.StartsWith("req_", requestId, StringComparison.Ordinal);
        Assert.Equal(requestId, response.Headers.GetValues("X-Request-Id").Single());
        Assert.True(error.TryGetProperty("retryable", out var retryable) && retryable.ValueKind is JsonValueKind.True or JsonValueKind.False);
        return error;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, int status)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static string Header(this HttpResponseMessage response, string name)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues(name, out var values) ? values.Single()
            : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.Single()
            : throw new Xunit.Sdk.XunitException($"Header {name} is missing.");
    }

    public static void Bearer(this HttpRequestMessage request, string token)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }
}
