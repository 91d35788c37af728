namespace Comx.Core.Knowledge.Crawling;

/// <summary>Crawler settings (<c>Comx:Crawl</c>).</summary>
public sealed class CrawlOptions
{
    public const string Section = "Comx:Crawl";

    /// <summary>The pause between two requests to a site, so a school's small web server is never hammered.</summary>
    public int DelayMilliseconds { get; set; } = 500;
}
