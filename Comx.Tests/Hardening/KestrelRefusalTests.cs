using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Comx.DevHost;
using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Hardening;

/// <summary>
/// Refusals the server makes itself, on the DevHost's real Kestrel (TestServer has no request parser, no data-rate
/// limits): each must come back as the error envelope with its own status, written over a raw socket where an HTTP
/// client would refuse to send the request.
/// </summary>
public sealed class KestrelRefusalTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private Uri _address = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = DevHostApp.CreateBuilder([], backgroundJobs: false);
        builder.Configuration.AddInMemoryCollection(TestSettings.Defaults);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = DevHostApp.Configure(builder.Build());
        await _app.StartAsync();
        _address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("GET /api/org/v1/inbox/threads/a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "COMX_VALIDATION_ERROR")]
    [InlineData("GET /api/health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n", 400, "COMX_VALIDATION_ERROR")]
    [InlineData("GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: {0}\r\n\r\n", 431, "COMX_HEADERS_TOO_LARGE")]
    [InlineData("GET /api/health?q={0} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 414, "COMX_URI_TOO_LONG")]
    [InlineData("GET /api/health?q={1} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 414, "COMX_URI_TOO_LONG")]
    public async Task ServerRefusal_ComesBackAsTheEnvelope(string raw, int status, string code)
    {
        var request = raw.Replace("{0}", new string('a', 40_000), StringComparison.Ordinal).Replace("{1}", new string('a', 300_000), StringComparison.Ordinal);
        var (head, body) = await SendRawAsync(Encoding.ASCII.GetBytes(request), trickle: false);
        Assert.StartsWith($"HTTP/1.1 {status} ", head, StringComparison.Ordinal);
        Assert.Contains("X-Content-Type-Options: nosniff", head, StringComparison.Ordinal);
        AssertEnvelope(body, code);
    }

    [Fact]
    public async Task BodyArrivingTooSlowly_Is408Envelope()
    {
        var head = "POST /api/public/v1/chat/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n{";
        var (responseHead, body) = await SendRawAsync(Encoding.ASCII.GetBytes(head), trickle: true);
        Assert.StartsWith("HTTP/1.1 408 ", responseHead, StringComparison.Ordinal);
        var error = AssertEnvelope(body, "COMX_REQUEST_TIMEOUT");
        Assert.True(error.GetProperty("retryable").GetBoolean());
    }

    private static JsonElement AssertEnvelope(string body, string code)
    {
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error").Clone();
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.StartsWith("req_", error.GetProperty("request_id").GetString(), StringComparison.Ordinal);
        return error;
    }

    /// <summary>Writes the bytes (then, when trickling, one byte a second, below Kestrel's minimum data rate) and reads the whole response.</summary>
    private async Task<(string Head, string Body)> SendRawAsync(byte[] request, bool trickle)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_address.Host, _address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = ReadAllAsync(stream, timeout.Token);
        while (trickle && !reading.IsCompleted)
        {
            await Task.WhenAny(reading, Task.Delay(1000, timeout.Token));
            if (!reading.IsCompleted)
            {
                try
                {
                    await stream.WriteAsync(" "u8.ToArray(), timeout.Token);
                }
                catch (IOException)
                {
                    break;
                }
            }
        }

        var text = await reading;
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"No complete response: {text}");
        return (text[..split], text[(split + 4)..]);
    }

    private static async Task<string> ReadAllAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException)
        {
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
