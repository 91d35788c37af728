using Comx.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Text;
using Comx.Tests.Knowledge.Content;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Knowledge;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port serving the content fixtures (HTML, Markdown, text, PDF) and
/// documents a test can change or break while the server runs (<see cref="Set"/>).
/// </summary>
public sealed class SourceServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, (int Status, string ContentType, byte[] Body)> _documents = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    public string Url(string path) => new Uri(BaseUrl, path.TrimStart('/')).ToString();

    /// <summary>Serves <paramref name="body"/> at <c>/docs/{name}</c> from now on.</summary>
    public string Set(string name, string body, string contentType = "text/html; charset=utf-8", int status = 200)
    {
        _documents[name] = (status, contentType, Encoding.UTF8.GetBytes(body));
        return Url("docs/" + name);
    }

    public async ValueTask InitializeAsync()
    {
        var app = LoopbackServer.Create();
        var pdf = TestPdf.Policy();
        app.MapGet("/page.html", () => Results.Bytes(ContentExtractorTests.Fixture("school-admissions.html"), "text/html; charset=utf-8"));
        app.MapGet("/guide.md", () => Results.Bytes(ContentExtractorTests.Fixture("visitor-guide.md"), "text/markdown; charset=utf-8"));
        app.MapGet("/notes.txt", () => Results.Bytes(ContentExtractorTests.Fixture("privacy-notice.txt"), "text/plain"));
        app.MapGet("/policy.pdf", () => Results.Bytes(pdf, "application/pdf"));
        app.MapGet("/logo.png", () => Results.Bytes([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], "image/png"));
        app.MapGet("/docs/{name}", async (string name, HttpResponse response) =>
        {
            if (!_documents.TryGetValue(name, out var document))
            {
                response.StatusCode = 404;
                return;
            }

            response.StatusCode = document.Status;
            response.ContentType = document.ContentType;
            await response.Body.WriteAsync(document.Body);
        });
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
}
