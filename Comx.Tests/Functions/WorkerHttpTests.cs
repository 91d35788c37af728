using Comx.Core.Http;
using Comx.Tests.Chat;
using Comx.Tests.Infrastructure;

namespace Comx.Tests.Functions;

/// <summary>
/// Requests through the worker's composition and compiled functions, picked the way the host picks them
/// (<see cref="WorkerTestHost"/>): each route's own function answers, and the catch-all gives the same 404, 405 and
/// preflight answers as the DevHost.
/// </summary>
public sealed class WorkerHttpTests : IAsyncLifetime
{
    private WorkerTestHost _worker = null!;
    private TestApp _devHost = null!;

    public async ValueTask InitializeAsync()
    {
        _worker = await WorkerTestHost.StartAsync();
        _devHost = await TestApp.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _devHost.DisposeAsync();
    }

    [Fact]
    public async Task Health_IsAnsweredByItsOwnFunction()
    {
        var response = await _worker.Client.GetAsync(new Uri("/api/" + Routes.Health, UriKind.Relative));

        await response.JsonAsync(200);
        Assert.Equal(RouteNames.Health, response.Header("X-Test-Function"));
    }

    [Fact]
    public async Task SigningSecretPath_IsAnsweredByItsOwnFunction_NotTheProposalLookup()
    {
        var response = await _worker.Client.GetAsync(new Uri("/api/" + Routes.ActionSigningSecret, UriKind.Relative));

        await response.ErrorAsync(401, "COMX_UNAUTHENTICATED");
        Assert.Equal(RouteNames.GetActionSigningSecret, response.Header("X-Test-Function"));
    }

    [Theory]
    [InlineData("GET", "/api/no/such/route")]
    [InlineData("GET", "/api/org/v1/actions/not-an-action-id")]
    [InlineData("DELETE", "/api/org/v1/webhooks/samples")]
    [InlineData("DELETE", "/api/org/v1/me")]
    [InlineData("PATCH", "/api/health")]
    public async Task CatchAll_AnswersLikeTheDevHost(string method, string path)
    {
        var worker = await _worker.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var devHost = await _devHost.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(RouteNames.Fallback, worker.Header("X-Test-Function"));
        Assert.Equal(devHost.StatusCode, worker.StatusCode);
        Assert.True((int)worker.StatusCode is 404 or 405, $"{method} {path} answered {(int)worker.StatusCode}.");
        var code = (int)worker.StatusCode == 404 ? "COMX_NOT_FOUND" : "COMX_METHOD_NOT_ALLOWED";
        await worker.ErrorAsync((int)worker.StatusCode, code);
        if ((int)worker.StatusCode == 405)
        {
            Assert.Equal(devHost.Header("Allow"), worker.Header("Allow"));
        }
    }

    [Fact]
    public async Task Preflight_IsAnsweredLikeTheDevHost()
    {
        // An org whose widget allows the one origin; stored in the shared Azurite both hosts read.
        _ = await ChatTestOrg.CreateAsync(_devHost);
        foreach (var origin in new[] { ChatTestOrg.Origin, "https://evil.example" })
        {
            HttpRequestMessage Preflight()
            {
                var request = TestApp.Request(HttpMethod.Options, "/api/" + Routes.ChatMessages, ip: TestSettings.NewIp());
                request.Headers.Add("Origin", origin);
                request.Headers.Add("Access-Control-Request-Method", "POST");
                return request;
            }

            var worker = await _worker.Client.SendAsync(Preflight());
            var devHost = await _devHost.Client.SendAsync(Preflight());

            Assert.Equal(RouteNames.Fallback, worker.Header("X-Test-Function"));
            Assert.Equal(devHost.StatusCode, worker.StatusCode);
            foreach (var header in new[] { "Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Vary" })
            {
                Assert.Equal(devHost.Headers.TryGetValues(header, out var expected) ? string.Join(",", expected) : null,
                    worker.Headers.TryGetValues(header, out var actual) ? string.Join(",", actual) : null);
            }
        }

    }
}
