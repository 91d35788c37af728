using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace Comx.Core.Knowledge.Content;

/// <summary>
/// Markdown through Markdig, rendered to HTML and read by the same walker as web pages, so lists, tables and code read
/// the same whichever way a document arrives. Headings become sections; the title is the front matter's
/// <c>title:</c>, else the first top-level heading.
/// </summary>
internal static class MarkdownExtraction
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseYamlFrontMatter()
        .UsePipeTables()
        .UseGridTables()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .UseTaskLists()
        .UseDefinitionLists()
        .UseFootnotes()
        .Build();

    public static ExtractionResult Extract(string markdown)
    {
        MarkdownDocument document;
        string html;
        try
        {
            document = Markdown.Parse(markdown, Pipeline);
            html = document.ToHtml(Pipeline);
        }
        catch (ArgumentException)
        {
            // Markdig's own guard against pathological nesting ("too deeply nested - depth limit exceeded").
            return ExtractionResult.Fail(ExtractionErrorKind.Unreadable, "The Markdown document is nested too deeply to read.");
        }

        if (HtmlExtraction.NestingExceeds(html, HtmlExtraction.MaxNesting))
        {
            return ExtractionResult.Fail(ExtractionErrorKind.Unreadable, "The Markdown document is nested too deeply to read.");
        }

        var frontMatterTitle = FrontMatterTitle(document, markdown);
        var sections = HtmlExtraction.Sections(html, out var topHeading);
        return ExtractionResult.From(frontMatterTitle ?? topHeading, sections, "The Markdown document has no text.");
    }

    private static string? FrontMatterTitle(MarkdownDocument document, string markdown)
    {
        if (document.Descendants<YamlFrontMatterBlock>().FirstOrDefault() is not { } block)
        {
            return null;
        }

        foreach (var line in markdown.Substring(block.Span.Start, block.Span.Length).Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("title:", StringComparison.OrdinalIgnoreCase))
            {
                var title = Whitespace.Clean(trimmed["title:".Length..].Trim().Trim('"', '\''));
                return title.Length == 0 ? null : title;
            }
        }

        return null;
    }
}
