using Comx.Tests.Infrastructure;
using System.IO.Compression;
using System.Text;
using Comx.Tests.Knowledge.Content;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Comx.Tests.Network;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port, serving documents, redirects, oversized and slow bodies, and
/// an echo endpoint for deliveries. It counts the requests it has seen, per path.
/// </summary>
public sealed class ContentServer : IAsyncLifetime
{
    public const long Megabyte = 1024 * 1024;

    private WebApplication? _app;
    private readonly Dictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Uri BaseUrl { get; private set; } = null!;

    public int Port => BaseUrl.Port;

    public Uri Url(string pathAndQuery) => new(BaseUrl, pathAndQuery);

    public int Hits(string path)
    {
        lock (_lock)
        {
            return _hits.GetValueOrDefault(path);
        }
    }

    public async ValueTask InitializeAsync()
    {
        var app = LoopbackServer.Create();
        app.Use(async (context, next) =>
        {
            lock (_lock)
            {
                _hits[context.Request.Path] = _hits.GetValueOrDefault(context.Request.Path) + 1;
            }

            await next(context);
        });
        Map(app);
        var address = await LoopbackServer.StartAsync(app);
        _app = app;
        BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static void Map(WebApplication app)
    {
        var pdf = TestPdf.Policy();
        app.MapGet("/page.html", () => Results.Bytes(Fixture("school-admissions.html"), "text/html; charset=utf-8"));
        app.MapGet("/guide.md", () => Results.Bytes(Fixture("visitor-guide.md"), "text/markdown; charset=utf-8"));
        app.MapGet("/notes.txt", () => Results.Bytes(Fixture("privacy-notice.txt"), "text/plain"));
        app.MapGet("/policy.pdf", () => Results.Bytes(pdf, "application/pdf"));
        app.MapGet("/download", () => Results.Bytes(pdf, "application/octet-stream"));
        app.MapGet("/user-agent", (HttpRequest request) => Results.Text(request.Headers.UserAgent.ToString()));
        app.MapGet("/host", (HttpRequest request) => Results.Text(request.Host.Value));

        // /redirect/3 → /redirect/2 → /redirect/1 → /redirect/0 (200).
        app.MapGet("/redirect/{remaining:int}", (int remaining) => remaining == 0
            ? Results.Text("arrived", "text/plain")
            : Results.Redirect($"/redirect/{remaining - 1}"));
        app.MapGet("/redirect-relative", (HttpResponse response) =>
        {
            response.StatusCode = 301;
            response.Headers.Location = "page.html";
        });
        app.MapGet("/redirect-to", (string url, int? status) =>
        {
            return Results.Redirect(url, permanent: status is 301 or 308, preserveMethod: status is 307 or 308);
        });
        app.MapGet("/no-location", (HttpResponse response) => response.StatusCode = 302);
        app.MapGet("/status/{code:int}", (int code) => Results.Text($"status {code}", "text/plain", statusCode: code));

        // Bodies of a given size: declared, streamed without Content-Length, and gzip-compressed (a small bomb).
        app.MapGet("/sized/{bytes:long}", async (long bytes, HttpResponse response) =>
        {
            response.ContentType = "text/plain";
            response.ContentLength = bytes;
            await WriteAsync(response, bytes);
        });
        app.MapGet("/streamed/{bytes:long}", async (long bytes, HttpResponse response) =>
        {
            response.ContentType = "text/plain";
            await response.StartAsync();
            await WriteAsync(response, bytes);
        });
        var bomb = Gzip(6 * Megabyte);
        app.MapGet("/gzip-bomb", async (HttpResponse response) =>
        {
            response.ContentType = "text/plain";
            response.Headers.ContentEncoding = "gzip";
            response.ContentLength = bomb.Length;
            await response.Body.WriteAsync(bomb);
        });
        var small = Gzip(1000);
        app.MapGet("/gzip-small", async (HttpResponse response) =>
        {
            response.ContentType = "text/plain";
            response.Headers.ContentEncoding = "gzip";
            await response.Body.WriteAsync(small);
        });

        // Slow: no headers until the client gives up; or headers and a first chunk, then nothing.
        app.MapGet("/slow-headers", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            return Results.Text("too late");
        });
        app.MapGet("/slow-body", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("first part ", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        });

        // Deliveries: echo what arrived; a big answer; a redirect that must not be followed.
        app.MapPost("/echo", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            return Results.Json(new
            {
                method = request.Method,
                body = Encoding.UTF8.GetString(body.ToArray()),
                content_type = request.ContentType,
                user_agent = headers.GetValueOrDefault("User-Agent"),
                signature = headers.GetValueOrDefault("X-Comx-Signature"),
                delivery = headers.GetValueOrDefault("X-Comx-Delivery"),
            }, statusCode: 200);
        });
        app.MapPost("/big-answer", () => Results.Text(new string('x', 4000) + "é" + new string('y', 10_000), "text/plain; charset=utf-8"));
        app.MapPost("/post-redirect", () => Results.Redirect("/echo", permanent: false, preserveMethod: true));
        app.MapPost("/gone", () => Results.Text("unsubscribed", statusCode: 410));
        app.MapPost("/slow", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            return Results.Ok();
        });
    }

    private static byte[] Fixture(string name) => ContentExtractorTests.Fixture(name);

    private static async Task WriteAsync(HttpResponse response, long bytes)
    {
        var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
        for (long written = 0; written < bytes;)
        {
            var count = (int)Math.Min(chunk.Length, bytes - written);
            try
            {
                await response.Body.WriteAsync(chunk.AsMemory(0, count), response.HttpContext.RequestAborted);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                return; // the client stopped reading: that is what the size limit is for
            }

            written += count;
        }
    }

    private static byte[] Gzip(long zeros)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            var block = new byte[64 * 1024];
            for (long written = 0; written < zeros; written += block.Length)
            {
                gzip.Write(block, 0, (int)Math.Min(block.Length, zeros - written));
            }
        }

        return output.ToArray();
    }
}
