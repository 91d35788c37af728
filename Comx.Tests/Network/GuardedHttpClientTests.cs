using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Comx.Core.Knowledge.Content;
using Comx.Core.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Comx.Tests.Network;

public sealed class GuardedHttpClientTests(ContentServer server) : IClassFixture<ContentServer>
{
    /// <summary>A public address that the test connector sends to the loopback test server.</summary>
    private static readonly IPAddress PublicAddress = IPAddress.Parse("93.184.215.14");

    private static GuardedHttpClient Client(bool allowPrivateTargets) =>
        new(Options.Create(new NetworkOptions { AllowPrivateTargets = allowPrivateTargets }), TimeProvider.System);

    /// <summary>
    /// A client with AllowPrivateTargets off whose resolver answers from <paramref name="names"/> and whose connector
    /// delivers connections to <see cref="PublicAddress"/> to the test server: the guard sees a public host, the test
    /// still runs on loopback. Every endpoint actually connected to is recorded.
    /// </summary>
    private GuardedHttpClient PublicClient(Dictionary<string, IPAddress[]> names, List<IPEndPoint> connected) =>
        new(Options.Create(new NetworkOptions { AllowPrivateTargets = false }), TimeProvider.System,
            (host, _) => names.TryGetValue(host, out var addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
            async (endpoint, ct) =>
            {
                lock (connected)
                {
                    connected.Add(endpoint);
                }

                var target = endpoint.Address.Equals(PublicAddress) ? new IPEndPoint(IPAddress.Loopback, server.Port) : endpoint;
                var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(target, ct);
                return new NetworkStream(socket, ownsSocket: true);
            });

    private string PublicUrl(string pathAndQuery) => $"http://public.example:{server.Port}/{pathAndQuery}";

    [Theory]
    [InlineData("page.html", "text/html; charset=utf-8", "Admissions | Oakwood Primary School")]
    [InlineData("guide.md", "text/markdown; charset=utf-8", "Visitor guide")]
    [InlineData("notes.txt", "text/plain", "Privacy notice for parents and carers")]
    [InlineData("policy.pdf", "application/pdf", "Safeguarding and child protection policy")]
    [InlineData("download", "application/octet-stream", "Safeguarding and child protection policy")]
    public async Task Fetch_Document_ReturnsItsBytes_WhichExtract(string path, string contentType, string title)
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url(path).ToString());

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(200, result.Content.StatusCode);
        Assert.Equal(contentType, result.Content.ContentType);
        Assert.Equal(server.Url(path), result.Content.FinalUrl);
        Assert.Equal(0, result.Content.Redirects);
        var extracted = ContentExtractor.Extract(result.Content.Content, result.Content.ContentType, result.Content.FinalUrl.ToString());
        Assert.True(extracted.Succeeded, extracted.Error?.Message);
        Assert.Equal(title, extracted.Document.Title);
    }

    [Fact]
    public async Task Fetch_SendsAnHonestUserAgent()
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url("user-agent").ToString());
        Assert.Equal("comxbot-ingest/1.0 (+https://comxbot.com/bot)", Encoding.UTF8.GetString(result.Content!.Content));
    }

    [Fact]
    public async Task Fetch_RedirectChainOfFive_IsFollowed()
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url("redirect/5").ToString());

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(5, result.Content.Redirects);
        Assert.Equal(server.Url("redirect/0"), result.Content.FinalUrl);
        Assert.Equal("arrived", Encoding.UTF8.GetString(result.Content.Content));
    }

    [Fact]
    public async Task Fetch_RedirectChainOfSix_IsTooManyRedirects()
    {
        using var client = Client(allowPrivateTargets: true);
        var (lastHop, beyond) = (server.Hits("/redirect/1"), server.Hits("/redirect/0"));
        var result = await client.FetchAsync(server.Url("redirect/6").ToString());

        Assert.Equal(NetworkFailureKind.TooManyRedirects, result.Failure?.Kind);
        Assert.Equal(server.Url("redirect/1"), result.Failure!.Url);
        Assert.Contains("5 redirects", result.Failure.Message);
        Assert.Equal(lastHop + 1, server.Hits("/redirect/1"));
        Assert.Equal(beyond, server.Hits("/redirect/0"));
    }

    [Fact]
    public async Task Fetch_RelativeRedirect_IsResolvedAgainstTheRequest()
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url("redirect-relative").ToString());
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(server.Url("page.html"), result.Content.FinalUrl);
    }

    [Fact]
    public async Task Fetch_RedirectWithoutLocation_IsAnHttpStatusFailure()
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url("no-location").ToString());
        Assert.Equal(NetworkFailureKind.HttpStatus, result.Failure?.Kind);
        Assert.Equal(302, result.Failure!.StatusCode);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials/")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://100.100.100.200/latest/meta-data/")]
    [InlineData("http://168.63.129.16/machine?comp=goalstate")]
    public async Task Fetch_RedirectToCloudMetadata_IsBlocked_EvenWhenPrivateTargetsAreAllowed(string target)
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url("redirect-to?url=" + Uri.EscapeDataString(target)).ToString());

        Assert.Equal(NetworkFailureKind.BlockedAddress, result.Failure?.Kind);
        Assert.Contains("cloud metadata", result.Failure!.Message);
        Assert.Contains("redirects to a refused target", result.Failure.Message);
    }

    [Fact]
    public async Task Fetch_PublicHost_ConnectsToTheAddressThatWasChecked()
    {
        var connected = new List<IPEndPoint>();
        using var client = PublicClient(new() { ["public.example"] = [PublicAddress] }, connected);
        var result = await client.FetchAsync(PublicUrl("host"));

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal($"public.example:{server.Port}", Encoding.UTF8.GetString(result.Content.Content));
        Assert.Equal([new IPEndPoint(PublicAddress, server.Port)], connected);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/page.html", "127.0.0.1")]
    [InlineData("http://localhost:{port}/page.html", "localhost")]
    [InlineData("http://[::1]:{port}/page.html", "::1")]
    [InlineData("http://10.1.2.3/", "10.1.2.3")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("http://internal.example/", "internal.example")]
    public async Task Fetch_RedirectFromPublicToPrivate_IsBlocked_WhenPrivateTargetsAreNotAllowed(string target, string named)
    {
        var connected = new List<IPEndPoint>();
        using var client = PublicClient(
            new()
            {
                ["public.example"] = [PublicAddress],
                ["internal.example"] = [IPAddress.Parse("192.168.1.10")],
                ["localhost"] = [IPAddress.Loopback, IPAddress.IPv6Loopback],
            },
            connected);
        var location = target.Replace("{port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var result = await client.FetchAsync(PublicUrl("redirect-to?url=" + Uri.EscapeDataString(location)));

        Assert.Equal(NetworkFailureKind.BlockedAddress, result.Failure?.Kind);
        Assert.Contains(named, result.Failure!.Message);
        // Only the first, public hop was ever connected to.
        Assert.All(connected, endpoint => Assert.Equal(PublicAddress, endpoint.Address));
    }

    [Fact]
    public async Task Fetch_HostResolvingToAPrivateAddress_IsBlockedBeforeConnecting()
    {
        var connected = new List<IPEndPoint>();
        using var client = PublicClient(new() { ["rebind.example"] = [IPAddress.Parse("10.0.0.7")] }, connected);
        var result = await client.FetchAsync("http://rebind.example/");

        Assert.Equal(NetworkFailureKind.BlockedAddress, result.Failure?.Kind);
        Assert.Equal("The host rebind.example resolves to 10.0.0.7, a private address, which is not allowed as a target.", result.Failure!.Message);
        Assert.Empty(connected);
    }

    [Fact]
    public async Task Fetch_HostWithOnePublicAndOnePrivateAddress_IsBlocked()
    {
        var connected = new List<IPEndPoint>();
        using var client = PublicClient(new() { ["mixed.example"] = [PublicAddress, IPAddress.Parse("::ffff:127.0.0.1")] }, connected);
        var result = await client.FetchAsync($"http://mixed.example:{server.Port}/page.html");

        Assert.Equal(NetworkFailureKind.BlockedAddress, result.Failure?.Kind);
        Assert.Empty(connected);
    }

    [Fact]
    public async Task Fetch_UnresolvableHost_IsDnsFailure()
    {
        using var client = PublicClient([], []);
        var result = await client.FetchAsync("https://no-such-host.invalid/page");
        Assert.Equal(NetworkFailureKind.DnsFailure, result.Failure?.Kind);
        Assert.Contains("no-such-host.invalid", result.Failure!.Message);
    }

    [Fact]
    public async Task Fetch_Localhost_IsRefused_UnlessPrivateTargetsAreAllowed()
    {
        // The system resolver answers for localhost; the guard refuses what it resolves to.
        var url = $"http://localhost:{server.Port}/notes.txt";
        using (var strict = Client(allowPrivateTargets: false))
        {
            var refused = await strict.FetchAsync(url);
            Assert.Equal(NetworkFailureKind.BlockedAddress, refused.Failure?.Kind);
            Assert.Matches(@"^The host localhost resolves to (127\.0\.0\.1|::1), a loopback address, which is not allowed as a target\.$", refused.Failure!.Message);
        }

        using var relaxed = Client(allowPrivateTargets: true);
        var fetched = await relaxed.FetchAsync(url);
        Assert.True(fetched.Succeeded, fetched.Failure?.Message);
    }

    [Fact]
    public async Task Fetch_LoopbackLiteral_IsRefused_WhenPrivateTargetsAreNotAllowed()
    {
        using var client = Client(allowPrivateTargets: false);
        var hits = server.Hits("/page.html");
        var result = await client.FetchAsync(server.Url("page.html").ToString());

        Assert.Equal(NetworkFailureKind.BlockedAddress, result.Failure?.Kind);
        Assert.Equal("The address 127.0.0.1 is a loopback address, which is not allowed as a target.", result.Failure!.Message);
        Assert.Equal(hits, server.Hits("/page.html"));
    }

    [Theory]
    [InlineData("sized/6291456")]     // 6 MB, declared
    [InlineData("streamed/6291456")]  // 6 MB, no Content-Length
    [InlineData("gzip-bomb")]         // 6 MB of zeros in a few KB of gzip, honest compressed Content-Length
    public async Task Fetch_BodyOverFiveMegabytes_IsTooLarge(string path)
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url(path).ToString());

        Assert.Equal(NetworkFailureKind.TooLarge, result.Failure?.Kind);
        Assert.Equal("The document is larger than 5 MB.", result.Failure!.Message);
    }

    [Theory]
    [InlineData("sized/1000", true)]
    [InlineData("sized/1001", false)]
    [InlineData("streamed/1000", true)]
    [InlineData("streamed/1001", false)]
    [InlineData("gzip-small", true)]
    public async Task Fetch_BodyLimit_IsExact(string path, bool fits)
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url(path).ToString(), new FetchLimits { MaxBodyBytes = 1000 });

        Assert.Equal(fits, result.Succeeded);
        if (fits)
        {
            Assert.Equal(1000, result.Content!.Content.Length);
        }
        else
        {
            Assert.Equal(NetworkFailureKind.TooLarge, result.Failure?.Kind);
        }
    }

    [Theory]
    [InlineData("slow-headers")]
    [InlineData("slow-body")]
    public async Task Fetch_SlowServer_TimesOut(string path)
    {
        using var client = Client(allowPrivateTargets: true);
        var started = Stopwatch.StartNew();
        var result = await client.FetchAsync(server.Url(path).ToString(), new FetchLimits { Timeout = TimeSpan.FromMilliseconds(400) });

        Assert.Equal(NetworkFailureKind.Timeout, result.Failure?.Kind);
        Assert.Equal("No complete response from 127.0.0.1 within 0.4 s.", result.Failure!.Message);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Fetch_CallerCancellation_Throws()
    {
        using var client = Client(allowPrivateTargets: true);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.FetchAsync(server.Url("slow-headers").ToString(), cancellationToken: cancel.Token));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Fetch_ErrorStatus_IsHttpStatusFailure(int status)
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url($"status/{status}").ToString());

        Assert.Equal(NetworkFailureKind.HttpStatus, result.Failure?.Kind);
        Assert.Equal(status, result.Failure!.StatusCode);
        Assert.StartsWith($"The server answered {status}", result.Failure.Message);
    }

    [Fact]
    public async Task Fetch_ClosedPort_IsConnectionFailed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync($"http://127.0.0.1:{port}/");
        Assert.Equal(NetworkFailureKind.ConnectionFailed, result.Failure?.Kind);
        Assert.Contains("ConnectionRefused", result.Failure!.Message);
    }

    [Theory]
    [InlineData("ftp://example.org/file.txt")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://user:secret@example.org/")]
    public async Task Fetch_RedirectToAnUnusableUrl_IsRefused(string target)
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(server.Url("redirect-to?url=" + Uri.EscapeDataString(target)).ToString());
        Assert.Equal(NetworkFailureKind.InvalidUrl, result.Failure?.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    [InlineData("gopher://example.org/")]
    public async Task Fetch_InvalidUrl_IsRefusedWithoutARequest(string? url)
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.FetchAsync(url!);
        Assert.Equal(NetworkFailureKind.InvalidUrl, result.Failure?.Kind);
    }

    [Fact]
    public async Task Send_PostsTheExactBodyAndHeaders_AndReturnsTheResponse()
    {
        using var client = Client(allowPrivateTargets: true);
        var body = """{"id":"evt_1","type":"ingest.succeeded","data":{"text":"café"}}"""u8.ToArray();
        var result = await client.SendAsync(new OutboundRequest(server.Url("echo"))
        {
            Body = body,
            Headers = new Dictionary<string, string> { ["X-Comx-Signature"] = "abc123", ["X-Comx-Delivery"] = "dlv_1" },
        });

        Assert.True(result.Responded, result.Failure?.Message);
        Assert.Equal(200, result.Response.StatusCode);
        Assert.True(result.Response.IsSuccessStatusCode);
        Assert.False(result.Response.BodyTruncated);
        Assert.StartsWith("application/json", result.Response.Headers["content-type"]);
        Assert.True(result.Latency > TimeSpan.Zero);
        using var echo = JsonDocument.Parse(result.Response.Body);
        Assert.Equal("POST", echo.RootElement.GetProperty("method").GetString());
        Assert.Equal(Encoding.UTF8.GetString(body), echo.RootElement.GetProperty("body").GetString());
        Assert.Equal("application/json", echo.RootElement.GetProperty("content_type").GetString());
        Assert.Equal("comxbot-webhooks/1.0 (+https://comxbot.com/bot)", echo.RootElement.GetProperty("user_agent").GetString());
        Assert.Equal("abc123", echo.RootElement.GetProperty("signature").GetString());
        Assert.Equal("dlv_1", echo.RootElement.GetProperty("delivery").GetString());
    }

    [Fact]
    public async Task Send_Redirect_IsReturnedNotFollowed()
    {
        using var client = Client(allowPrivateTargets: true);
        var echoes = server.Hits("/echo");
        var result = await client.SendAsync(new OutboundRequest(server.Url("post-redirect")) { Body = "{}"u8.ToArray() });

        Assert.True(result.Responded);
        Assert.Equal(307, result.Response.StatusCode);
        Assert.False(result.Response.IsSuccessStatusCode);
        Assert.Equal("/echo", result.Response.Headers["Location"]);
        Assert.Equal(echoes, server.Hits("/echo"));
    }

    [Fact]
    public async Task Send_LongResponse_KeepsTheFirst4KB_WithoutBreakingACharacter()
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.SendAsync(new OutboundRequest(server.Url("big-answer")) { Body = "{}"u8.ToArray() });

        Assert.True(result.Responded);
        Assert.True(result.Response.BodyTruncated);
        // 4000 'x', then "é" (2 bytes), then 'y' up to 4096 bytes.
        Assert.Equal(new string('x', 4000) + "é" + new string('y', 94), result.Response.Body);
    }

    [Fact]
    public async Task Send_CutInsideACharacter_DropsThePartialCharacter()
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.SendAsync(new OutboundRequest(server.Url("big-answer")) { Body = "{}"u8.ToArray(), MaxResponseBytes = 4001 });
        Assert.Equal(new string('x', 4000), result.Response!.Body);
    }

    [Fact]
    public async Task Send_ErrorStatus_IsAResponse()
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.SendAsync(new OutboundRequest(server.Url("gone")) { Body = "{}"u8.ToArray() });
        Assert.Equal(410, result.Response?.StatusCode);
        Assert.Equal("unsubscribed", result.Response?.Body);
    }

    [Theory]
    [InlineData("http://169.254.169.254/hook", true)]
    [InlineData("http://[fd00:ec2::254]/hook", true)]
    [InlineData("http://127.0.0.1:9/hook", false)]
    [InlineData("http://192.168.0.10/hook", false)]
    public async Task Send_ToARefusedAddress_IsBlocked(string url, bool evenWhenPrivateAllowed)
    {
        using var strict = Client(allowPrivateTargets: false);
        var result = await strict.SendAsync(new OutboundRequest(new Uri(url)) { Body = "{}"u8.ToArray() });
        Assert.Equal(NetworkFailureKind.BlockedAddress, result.Failure?.Kind);

        if (evenWhenPrivateAllowed)
        {
            using var relaxed = Client(allowPrivateTargets: true);
            var again = await relaxed.SendAsync(new OutboundRequest(new Uri(url)) { Body = "{}"u8.ToArray() });
            Assert.Equal(NetworkFailureKind.BlockedAddress, again.Failure?.Kind);
        }
    }

    [Fact]
    public async Task Send_ToAHostResolvingToMetadata_IsBlocked()
    {
        var connected = new List<IPEndPoint>();
        using var client = PublicClient(new() { ["hooks.example"] = [IPAddress.Parse("169.254.169.254")] }, connected);
        var result = await client.SendAsync(new OutboundRequest(new Uri("https://hooks.example/receive")) { Body = "{}"u8.ToArray() });

        Assert.Equal(NetworkFailureKind.BlockedAddress, result.Failure?.Kind);
        Assert.Contains("hooks.example resolves to 169.254.169.254, a cloud metadata address", result.Failure!.Message);
        Assert.Empty(connected);
    }

    [Fact]
    public async Task Send_SlowReceiver_TimesOut_WithTheTimeSpent()
    {
        using var client = Client(allowPrivateTargets: true);
        var result = await client.SendAsync(new OutboundRequest(server.Url("slow")) { Body = "{}"u8.ToArray(), Timeout = TimeSpan.FromMilliseconds(300) });

        Assert.Equal(NetworkFailureKind.Timeout, result.Failure?.Kind);
        Assert.InRange(result.Latency, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("content-length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    public async Task Send_TransportHeaders_CannotBeSupplied(string header)
    {
        using var client = Client(allowPrivateTargets: true);
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(new OutboundRequest(server.Url("echo"))
        {
            Headers = new Dictionary<string, string> { [header] = "x" },
        }));
    }

    [Fact]
    public void Client_ResolvesFromTheContainer()
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<NetworkOptions>();
        services.AddSingleton<GuardedHttpClient>();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Assert.NotNull(provider.GetRequiredService<GuardedHttpClient>());
    }
}
