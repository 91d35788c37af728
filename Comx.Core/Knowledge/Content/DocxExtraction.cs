using System.Net;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Comx.Core.Knowledge.Content;

/// <summary>
/// Word documents (.docx) through the Open XML SDK: the body is written out as simple HTML (heading styles as
/// <c>h1</c>–<c>h6</c>, numbered or bulleted paragraphs as list items, tables as tables) and read by the same walker
/// as web pages, so a table or a list reads the same whichever format it came in. The title is the core
/// properties' title, else the first heading.
/// </summary>
internal static class DocxExtraction
{
    public const string MediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    public static ExtractionResult Extract(byte[] content)
    {
        string html;
        string? title;
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            using var document = WordprocessingDocument.Open(stream, false);
            var body = document.MainDocumentPart?.Document?.Body;
            if (body is null)
            {
                return ExtractionResult.Fail(ExtractionErrorKind.NoText, "The Word document has no body.");
            }

            title = document.PackageProperties.Title is { Length: > 0 } t ? Whitespace.Clean(t) : null;
            var styles = document.MainDocumentPart!.StyleDefinitionsPart?.Styles;
            var builder = new StringBuilder("<html><body>");
            WriteBlocks(body.ChildElements, styles, builder);
            html = builder.Append("</body></html>").ToString();
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or FileFormatException or IOException or InvalidOperationException)
        {
            return ExtractionResult.Fail(ExtractionErrorKind.Unreadable, "The Word document could not be read (corrupt, encrypted or not a .docx file).");
        }

        var sections = HtmlExtraction.Sections(html, out var topHeading);
        return ExtractionResult.From(title ?? topHeading, sections, "The Word document has no text.");
    }

    private static void WriteBlocks(OpenXmlElementList elements, Styles? styles, StringBuilder html)
    {
        var inList = false;
        foreach (var element in elements)
        {
            var isListItem = element is Paragraph { ParagraphProperties.NumberingProperties: not null } && HeadingLevel((Paragraph)element, styles) is null;
            if (inList && !isListItem)
            {
                html.Append("</ul>");
                inList = false;
            }

            switch (element)
            {
                case Paragraph paragraph:
                    var text = WebUtility.HtmlEncode(TextOf(paragraph));
                    if (text.Length == 0)
                    {
                        break;
                    }

                    if (HeadingLevel(paragraph, styles) is { } level)
                    {
                        html.Append("<h").Append(level).Append('>').Append(text).Append("</h").Append(level).Append('>');
                    }
                    else if (isListItem)
                    {
                        if (!inList)
                        {
                            html.Append("<ul>");
                            inList = true;
                        }

                        html.Append("<li>").Append(text).Append("</li>");
                    }
                    else
                    {
                        html.Append("<p>").Append(text).Append("</p>");
                    }

                    break;
                case Table table:
                    html.Append("<table>");
                    var first = true;
                    foreach (var row in table.Elements<TableRow>())
                    {
                        html.Append("<tr>");
                        foreach (var cell in row.Elements<TableCell>())
                        {
                            var cellText = string.Join(" ", cell.Elements<Paragraph>().Select(TextOf).Where(t => t.Length > 0));
                            var tag = first ? "th" : "td";
                            html.Append('<').Append(tag).Append('>').Append(WebUtility.HtmlEncode(cellText)).Append("</").Append(tag).Append('>');
                        }

                        html.Append("</tr>");
                        first = false;
                    }

                    html.Append("</table>");
                    break;
                case SdtBlock block when block.SdtContentBlock is { } inner:
                    WriteBlocks(inner.ChildElements, styles, html);
                    break;
            }
        }

        if (inList)
        {
            html.Append("</ul>");
        }
    }

    /// <summary>The paragraph's text: runs, tabs as spaces, breaks as spaces (a paragraph is one line of the output).</summary>
    private static string TextOf(Paragraph paragraph)
    {
        var text = new StringBuilder();
        foreach (var node in paragraph.Descendants())
        {
            switch (node)
            {
                case Text t:
                    text.Append(t.Text);
                    break;
                case TabChar or Break or CarriageReturn:
                    text.Append(' ');
                    break;
            }
        }

        return Whitespace.Clean(text.ToString());
    }

    /// <summary>1–6 for Title and Heading1–Heading9 styles (by id, or by the style's name for localised ids), else null.</summary>
    private static int? HeadingLevel(Paragraph paragraph, Styles? styles)
    {
        var styleId = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
        if (styleId is null)
        {
            return null;
        }

        var name = styles?.Elements<Style>().FirstOrDefault(s => s.StyleId?.Value == styleId)?.StyleName?.Val?.Value ?? styleId;
        foreach (var candidate in new[] { name, styleId })
        {
            var normalised = candidate.Replace(" ", "", StringComparison.Ordinal);
            if (normalised.Equals("Title", StringComparison.OrdinalIgnoreCase))
            {
                return 1;
            }

            if (normalised.StartsWith("heading", StringComparison.OrdinalIgnoreCase) && int.TryParse(normalised.AsSpan(7), out var level) && level is >= 1 and <= 9)
            {
                return Math.Min(level, 6);
            }
        }

        return null;
    }
}
