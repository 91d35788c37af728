using System.Net;
using Comx.Core.Http;
using Comx.Core.Identity;

namespace Comx.DevHost;

/// <summary>
/// <c>GET /</c> and <c>GET /demo</c>: a page that embeds the widget, so a person (or a browser test) can chat with the
/// bot. The widget key is read at request time, so a demo seeded after start-up is picked up. <c>?learner=</c> passes
/// <c>data-learner-id</c>; <c>?key=</c> embeds another organisation's publishable key (tests use their own org).
/// </summary>
internal static class DemoPage
{
    public static bool Matches(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && request.Path.Value is "/" or "/demo";

    public static async Task WriteAsync(HttpContext context)
    {
        var request = context.Request;
        var key = request.Query["key"].ToString();
        if (key.Length == 0)
        {
            var settings = await context.RequestServices.GetRequiredService<WidgetSettingsStore>().GetAsync(context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoSeedOptions>>().Value.DemoOrgId, context.RequestAborted);
            key = settings?.WidgetKey ?? "";
        }

        var learner = request.Query["learner"].ToString();
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(Render(key, learner), context.RequestAborted);
    }

    internal static string Render(string widgetKey, string learnerId)
    {
        var script = $"/{Routes.Prefix}/{Routes.WidgetScript}";
        var learnerAttribute = learnerId.Length > 0 ? $" data-learner-id=\"{WebUtility.HtmlEncode(learnerId)}\"" : "";
        var body = widgetKey.Length > 0
            ? $"<script src=\"{script}\" data-widget-key=\"{WebUtility.HtmlEncode(widgetKey)}\"{learnerAttribute} async></script>"
            : "<p class=\"note\">The demo organisation is not seeded yet. Start the DevHost with <code>Comx__DevHost__SeedDemo=true</code>, or open <code>/demo?key=comx_pk_…</code>.</p>";
        return $$"""
            <!doctype html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Hillside demo · comxbot</title>
            <style>
              body { font: 17px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f6f7f9; }
              main { max-width: 42rem; margin: 0 auto; padding: 2rem 1rem 8rem; }
              h1 { font-size: 1.8rem; margin: 0 0 .5rem; }
              code { background: #e8eaee; padding: 0 .25rem; border-radius: 3px; }
              .note { background: #fff4d6; border-left: 4px solid #8a6100; padding: .75rem 1rem; }
            </style>
            </head>
            <body>
            <main>
              <h1>Hillside demo</h1>
              <p>This page embeds the comxbot widget with one script tag, exactly as an organisation's site would.
              Open the chat button in the corner and ask about the sample source.</p>
              <p>Add <code>?learner=LEARNER_ID</code> to pass <code>data-learner-id</code> and see a learner's accessibility settings applied.</p>
              {{body}}
            </main>
            </body>
            </html>
            """;
    }
}
