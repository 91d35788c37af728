using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Comx.Tests.Deliveries;

/// <summary>One request as the receiver saw it: the raw body bytes and the headers.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt, int AnsweredStatus);

/// <summary>
/// A webhook receiver on Kestrel at 127.0.0.1 and a free port. It records every request and answers with the status
/// <see cref="Respond"/> gives for the request's 1-based number (200 by default).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly List<ReceivedRequest> _requests = [];
    private readonly Lock _lock = new();
    private WebApplication _app = null!;

    private WebhookReceiver()
    {
    }

    public Func<int, int> Respond { get; set; } = _ => 200;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync(Func<int, int>? respond = null)
    {
        var receiver = new WebhookReceiver();
        if (respond is not null)
        {
            receiver.Respond = respond;
        }

        var app = LoopbackServer.Create();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            int status;
            lock (receiver._lock)
            {
                status = receiver.Respond(receiver._requests.Count + 1);
                receiver._requests.Add(new ReceivedRequest(context.Request.Method, context.Request.Path,
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray(), DateTimeOffset.UtcNow, status));
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsync($"receiver answered {status}", context.RequestAborted);
        });
        var address = await LoopbackServer.StartAsync(app);
        receiver._app = app;
        receiver.Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/hooks/comx");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
