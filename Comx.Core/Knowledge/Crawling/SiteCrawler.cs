using System.Xml.Linq;
using AngleSharp.Html.Parser;
using Comx.Core.Network;
using Microsoft.Extensions.Options;

namespace Comx.Core.Knowledge.Crawling;

/// <summary>One page the crawl fetched.</summary>
public sealed record CrawledPage(Uri Url, string? ContentType, byte[] Content);

/// <summary>What a crawl found: the pages it fetched, and the counts its health shows.</summary>
/// <param name="Pages">Pages fetched, in the order they were fetched (breadth-first from the start page and the sitemap).</param>
/// <param name="Failed">URLs that failed (refused, HTTP error, timeout): their last good copy keeps answering.</param>
/// <param name="Skipped">Links left alone: disallowed by robots.txt, outside include_paths, on another host, redirected off the host.</param>
public sealed record CrawlResult(IReadOnlyList<CrawledPage> Pages, IReadOnlyList<Uri> Failed, int Skipped);

/// <summary>
/// Crawls one site for a <c>site</c> source: stays on the start URL's host (scheme and port too), reads robots.txt
/// and the sitemap, then follows links breadth-first until <c>maxPages</c> pages were attempted. Every request, every
/// redirect hop included, goes through <see cref="GuardedHttpClient"/> (the network guard), with a polite pause between
/// requests. A redirect that leaves the host is not followed into the index.
/// </summary>
public sealed class SiteCrawler(GuardedHttpClient http, IOptions<CrawlOptions> options, TimeProvider time)
{
    private static readonly FetchLimits SmallFile = new() { MaxBodyBytes = 512 * 1024, Timeout = TimeSpan.FromSeconds(10) };
    private static readonly HashSet<string> NotDocuments = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".css", ".js", ".zip", ".gz", ".mp3", ".mp4", ".mov", ".avi", ".woff", ".woff2", ".ttf",
        ".doc", ".xls", ".xlsx", ".ppt", ".pptx", ".exe", ".dmg",
    };

    public async Task<CrawlResult> CrawlAsync(Uri start, int maxPages, IReadOnlyList<string> includePaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(includePaths);
        var origin = start.GetLeftPart(UriPartial.Authority);
        var delay = TimeSpan.FromMilliseconds(Math.Max(0, options.Value.DelayMilliseconds));
        var requests = 0;

        async Task<FetchResult> FetchAsync(Uri url, FetchLimits? limits)
        {
            if (requests++ > 0 && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, cancellationToken);
            }

            return await http.FetchAsync(url.ToString(), limits, cancellationToken);
        }

        var robotsFetch = await FetchAsync(new Uri(origin + "/robots.txt"), SmallFile);
        var robots = robotsFetch.Succeeded && SameOrigin(robotsFetch.Content.FinalUrl, origin)
            ? RobotsRules.Parse(System.Text.Encoding.UTF8.GetString(robotsFetch.Content.Content))
            : RobotsRules.AllowAll;

        var queue = new Queue<Uri>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = 0;

        bool Consider(Uri url)
        {
            var normal = Normalise(url);
            if (normal is null || !seen.Add(normal.ToString()))
            {
                return false;
            }

            if (!SameOrigin(normal, origin) || NotDocuments.Contains(Path.GetExtension(normal.AbsolutePath))
                || !robots.Allows(normal.PathAndQuery) || !Included(normal, includePaths))
            {
                skipped++;
                return false;
            }

            queue.Enqueue(normal);
            return true;
        }

        Consider(start);
        foreach (var sitemap in robots.Sitemaps.Append(origin + "/sitemap.xml").Distinct(StringComparer.Ordinal))
        {
            if (Uri.TryCreate(sitemap, UriKind.Absolute, out var sitemapUrl) && SameOrigin(sitemapUrl, origin))
            {
                foreach (var url in await ReadSitemapAsync(sitemapUrl, origin, FetchAsync, depth: 0))
                {
                    Consider(url);
                }
            }
        }

        var pages = new List<CrawledPage>();
        var failed = new List<Uri>();
        while (queue.Count > 0 && pages.Count + failed.Count < maxPages)
        {
            var url = queue.Dequeue();
            var fetched = await FetchAsync(url, null);
            if (!fetched.Succeeded)
            {
                failed.Add(url);
                continue;
            }

            if (!SameOrigin(fetched.Content.FinalUrl, origin))
            {
                skipped++;
                continue;
            }

            pages.Add(new CrawledPage(fetched.Content.FinalUrl, fetched.Content.ContentType, fetched.Content.Content));
            if (IsHtml(fetched.Content.ContentType))
            {
                foreach (var link in Links(fetched.Content))
                {
                    Consider(link);
                }
            }
        }

        return new CrawlResult(pages, failed, skipped + queue.Count);
    }

    private static async Task<IReadOnlyList<Uri>> ReadSitemapAsync(Uri sitemap, string origin, Func<Uri, FetchLimits?, Task<FetchResult>> fetch, int depth)
    {
        var fetched = await fetch(sitemap, SmallFile);
        if (!fetched.Succeeded || !SameOrigin(fetched.Content.FinalUrl, origin))
        {
            return [];
        }

        XDocument document;
        try
        {
            using var stream = new MemoryStream(fetched.Content.Content);
            // No DTDs: a sitemap needs none, and refusing them keeps entity expansion out.
            using var reader = System.Xml.XmlReader.Create(stream, new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Prohibit });
            document = XDocument.Load(reader);
        }
        catch (System.Xml.XmlException)
        {
            return [];
        }

        var locations = document.Descendants().Where(e => e.Name.LocalName == "loc").Select(e => e.Value.Trim()).ToList();
        var urls = new List<Uri>();
        var isIndex = document.Root?.Name.LocalName == "sitemapindex";
        foreach (var location in locations)
        {
            if (!Uri.TryCreate(location, UriKind.Absolute, out var url))
            {
                continue;
            }

            if (isIndex)
            {
                if (depth == 0 && SameOrigin(url, origin))
                {
                    urls.AddRange(await ReadSitemapAsync(url, origin, fetch, depth + 1));
                }
            }
            else
            {
                urls.Add(url);
            }
        }

        return urls;
    }

    private static IEnumerable<Uri> Links(FetchedContent page)
    {
        var document = new HtmlParser().ParseDocument(System.Text.Encoding.UTF8.GetString(page.Content));
        var baseUrl = document.QuerySelector("base[href]")?.GetAttribute("href") is { } href && Uri.TryCreate(page.FinalUrl, href, out var based) ? based : page.FinalUrl;
        foreach (var anchor in document.QuerySelectorAll("a[href]"))
        {
            var rel = anchor.GetAttribute("rel") ?? "";
            if (rel.Contains("nofollow", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (Uri.TryCreate(baseUrl, anchor.GetAttribute("href")!.Trim(), out var link))
            {
                yield return link;
            }
        }
    }

    private static bool IsHtml(string? contentType) =>
        contentType is not null && (contentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("application/xhtml", StringComparison.OrdinalIgnoreCase));

    /// <summary>http(s) only, without the fragment; null for anything else (mailto:, javascript:, tel:).</summary>
    private static Uri? Normalise(Uri url)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        var builder = new UriBuilder(url) { Fragment = "" };
        return builder.Uri;
    }

    private static bool SameOrigin(Uri url, string origin) => string.Equals(url.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase);

    private static bool Included(Uri url, IReadOnlyList<string> includePaths) =>
        includePaths.Count == 0 || url.AbsolutePath == "/" || includePaths.Any(p => url.AbsolutePath.StartsWith(p, StringComparison.Ordinal));
}
