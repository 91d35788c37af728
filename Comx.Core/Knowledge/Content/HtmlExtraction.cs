using System.Globalization;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Comx.Core.Knowledge.Content;

/// <summary>
/// Readable text from HTML. Prefers <c>&lt;main&gt;</c> (or <c>role=main</c>), else a single <c>&lt;article&gt;</c>, else
/// the body; drops navigation, page header and footer, asides, scripts, forms, hidden elements and cookie banners;
/// h1–h6 become section headings. The walk is iterative, so a deeply nested page cannot exhaust the stack.
/// </summary>
internal static class HtmlExtraction
{
    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal)
    {
        "script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object", "embed", "applet",
        "button", "select", "textarea", "input", "option", "datalist", "output", "progress", "meter",
        "nav", "aside", "dialog", "audio", "video", "map", "head", "title", "link", "meta", "base",
    };

    private static readonly HashSet<string> ParagraphBlocks = new(StringComparer.Ordinal)
    {
        "p", "div", "section", "article", "main", "header", "footer", "ul", "ol", "dl", "table", "blockquote", "pre", "figure", "figcaption", "address", "details", "summary", "hr", "fieldset",
        "legend", "center", "form", "hgroup", "search",
    };

    private static readonly HashSet<string> LineBlocks = new(StringComparer.Ordinal)
    {
        "li", "dt", "dd", "tr", "br", "caption", "thead", "tbody", "tfoot",
    };

    private static readonly HashSet<string> BoilerplateRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menubar", "menu",
    };

    /// <summary>Class or id fragments of cookie banners, consent managers and page furniture.</summary>
    private static readonly string[] BoilerplateMarkers =
    [
        "cookie", "consent", "gdpr", "onetrust", "cookiebot", "breadcrumb", "skip-link", "skiplink", "skip-to-content",
        "sidebar", "site-header", "footer", "masthead", "navbar", "share-buttons", "social-share",
    ];

    /// <summary>
    /// Deeper than any real page (Blink caps its parser at the same depth). HTML tree construction costs time in
    /// proportion to the depth for every element, so a deeply nested page could tie up a worker for minutes.
    /// </summary>
    internal const int MaxNesting = 512;

    private static readonly HashSet<string> Unnested = new(StringComparer.Ordinal)
    {
        // void elements
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "keygen",
        // end tags the parser implies
        "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rb", "rt", "rtc", "rp",
        "colgroup", "caption", "html", "head", "body",
    };

    private static readonly string[] RawText = ["script", "style", "textarea", "title", "xmp", "noscript", "iframe", "noembed", "noframes"];

    public static ExtractionResult Extract(string html)
    {
        if (NestingExceeds(html, MaxNesting))
        {
            return ExtractionResult.Fail(ExtractionErrorKind.Unreadable, $"The page is nested more than {MaxNesting} elements deep, which no readable page is.");
        }

        var document = new HtmlParser(new HtmlParserOptions { IsScripting = false }).ParseDocument(html);
        var title = Title(document);
        var body = (IElement?)document.Body ?? document.DocumentElement;
        var root = ChooseRoot(document, body);
        var builder = new SectionBuilder();

        // A page title often sits in a header above <main>; keep it as the outermost heading.
        if (root != body && root.QuerySelector("h1") is null
            && document.QuerySelectorAll("h1").Where(h => !root.Contains(h)).ToList() is [var pageHeading]
            && !InFurniture(pageHeading, root))
        {
            builder.Heading(1, pageHeading.TextContent);
        }

        Walk(root, builder, dropBoilerplate: true);
        return ExtractionResult.From(title ?? builder.TopHeading, builder.Build(), "The page has no readable text.");
    }

    /// <summary>Text of an HTML fragment without boilerplate removal (used for rendered Markdown).</summary>
    internal static IReadOnlyList<Section> Sections(string html, out string? topHeading)
    {
        var document = new HtmlParser().ParseDocument(html);
        var builder = new SectionBuilder();
        Walk((IElement?)document.Body ?? document.DocumentElement, builder, dropBoilerplate: false);
        topHeading = builder.TopHeading;
        return builder.Build();
    }

    /// <summary>
    /// A linear scan for how deep elements nest: open tags minus close tags, ignoring void elements, elements whose end
    /// tag the parser implies, comments and raw-text contents. It over-counts only unclosed tags that do nest anyway.
    /// </summary>
    internal static bool NestingExceeds(string html, int limit)
    {
        var depth = 0;
        var i = 0;
        while ((i = html.IndexOf('<', i)) >= 0 && i + 1 < html.Length)
        {
            if (html.AsSpan(i).StartsWith("<!--", StringComparison.Ordinal))
            {
                var end = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                if (end < 0)
                {
                    break;
                }

                i = end + 3;
                continue;
            }

            var closing = html[i + 1] == '/';
            var start = i + (closing ? 2 : 1);
            var nameEnd = start;
            while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] is '-' or ':'))
            {
                nameEnd++;
            }

            if (nameEnd == start || !char.IsAsciiLetter(html[start]))
            {
                i++;
                continue;
            }

            var gt = html.IndexOf('>', nameEnd);
            if (gt < 0)
            {
                break;
            }

            var name = html[start..nameEnd].ToLowerInvariant();
            i = gt + 1;
            if (!closing && RawText.Contains(name))
            {
                var end = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                if (end < 0)
                {
                    break;
                }

                i = end;
                continue;
            }

            if (Unnested.Contains(name) || (!closing && html[gt - 1] == '/'))
            {
                continue;
            }

            depth = closing ? Math.Max(0, depth - 1) : depth + 1;
            if (depth > limit)
            {
                return true;
            }
        }

        return false;
    }

    private static string? Title(IDocument document)
    {
        var title = Whitespace.Clean(document.Title ?? "");
        if (title.Length == 0)
        {
            title = Whitespace.Clean(document.QuerySelector("meta[property='og:title']")?.GetAttribute("content") ?? "");
        }

        return title.Length == 0 ? null : title;
    }

    private static IElement ChooseRoot(IDocument document, IElement body)
    {
        var mains = document.QuerySelectorAll("main, [role=main]").Where(m => !IsHidden(m)).ToList();
        IElement? candidate = mains.Count switch
        {
            0 => null,
            1 => mains[0],
            _ => mains.Where(m => !mains.Any(other => other != m && other.Contains(m))).MaxBy(m => m.TextContent.Length),
        };

        if (candidate is null)
        {
            var articles = document.QuerySelectorAll("article").Where(a => !IsHidden(a)).ToList();
            candidate = articles.Count == 1 ? articles[0] : null;
        }

        // A <main> that holds almost nothing (a hero banner, say) is a markup accident, not the content.
        if (candidate is not null && Whitespace.Clean(candidate.TextContent).Length < 100 && Whitespace.Clean(body.TextContent).Length > 500)
        {
            candidate = null;
        }

        return candidate ?? body;
    }

    private static void Walk(IElement root, SectionBuilder builder, bool dropBoilerplate)
    {
        var writer = new BlockWriter();
        var stack = new Stack<(INode Node, bool Exit)>();
        stack.Push((root, false));
        var preDepth = 0;
        while (stack.Count > 0)
        {
            var (node, exit) = stack.Pop();
            if (node is IText text)
            {
                writer.Write(text.Data, preDepth > 0);
                continue;
            }

            if (node is not IElement element)
            {
                continue;
            }

            var name = element.LocalName;
            if (exit)
            {
                if (name == "pre")
                {
                    preDepth--;
                }

                writer.Break(ParagraphBlocks.Contains(name) ? 2 : LineBlocks.Contains(name) ? 1 : 0);
                continue;
            }

            if (element != root && (Dropped.Contains(name) || IsHidden(element) || (dropBoilerplate && IsBoilerplate(element, root))))
            {
                // Inline elements dropped mid-sentence still separate the words around them.
                writer.Space();
                continue;
            }

            if (HeadingLevel(element) is { } level)
            {
                builder.Body(writer.Take());
                builder.Heading(level, element.TextContent);
                continue;
            }

            if (ParagraphBlocks.Contains(name))
            {
                writer.Break(2);
            }
            else if (LineBlocks.Contains(name))
            {
                writer.Break(1);
            }

            switch (name)
            {
                case "li":
                    writer.Write(ListMarker(element), preserve: false);
                    break;
                case "td" or "th" when element.PreviousElementSibling is { LocalName: "td" or "th" }:
                    writer.Write(" | ", preserve: true);
                    break;
                case "pre":
                    preDepth++;
                    break;
                case "img" when element.GetAttribute("alt") is { Length: > 0 } alt && element.Closest("figure") is not null:
                    writer.Write(alt, preserve: false);
                    break;
            }

            stack.Push((element, true));
            for (var child = element.LastChild; child is not null; child = child.PreviousSibling)
            {
                stack.Push((child, false));
            }
        }

        builder.Body(writer.Take());
    }

    private static int? HeadingLevel(IElement element)
    {
        if (element.LocalName is ['h', >= '1' and <= '6'])
        {
            return element.LocalName[1] - '0';
        }

        if (string.Equals(element.GetAttribute("role"), "heading", StringComparison.OrdinalIgnoreCase))
        {
            return int.TryParse(element.GetAttribute("aria-level"), NumberStyles.None, CultureInfo.InvariantCulture, out var level) && level is >= 1 and <= 6
                ? level
                : 2;
        }

        return null;
    }

    private static string ListMarker(IElement item)
    {
        if (item.ParentElement is IHtmlOrderedListElement list)
        {
            var index = list.Start;
            for (var sibling = item.PreviousElementSibling; sibling is not null; sibling = sibling.PreviousElementSibling)
            {
                if (sibling.LocalName == "li")
                {
                    index++;
                }
            }

            return index.ToString(CultureInfo.InvariantCulture) + ". ";
        }

        return "- ";
    }

    private static bool IsHidden(IElement element)
    {
        if (element.HasAttribute("hidden") || string.Equals(element.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var style = element.GetAttribute("style");
        return style is not null && style.Replace(" ", "", StringComparison.Ordinal).Contains("display:none", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Page furniture: header and footer outside the content, navigation roles, cookie banners, forms. Never an element
    /// that holds the content root, a <c>&lt;main&gt;</c> or an <c>&lt;article&gt;</c> (some sites wrap the whole page
    /// in a form or a <c>has-sidebar</c> div).
    /// </summary>
    private static bool IsBoilerplate(IElement element, IElement root)
    {
        var name = element.LocalName;
        var furniture = name switch
        {
            // A header inside the content (an article's or main's own title block) is content.
            "header" => element.Closest("main, article, [role=main]") is null,
            "footer" or "form" => true,
            _ => BoilerplateRoles.Contains(element.GetAttribute("role") ?? "") || HasBoilerplateMarker(element),
        };

        return furniture && !element.Contains(root) && element.QuerySelector("main, article, [role=main]") is null
            && !(name == "form" && element.QuerySelector("h1") is not null);
    }

    private static bool InFurniture(IElement element, IElement root)
    {
        for (var current = element; current is not null; current = current.ParentElement)
        {
            if (Dropped.Contains(current.LocalName) || current.LocalName == "header" || IsHidden(current) || IsBoilerplate(current, root))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasBoilerplateMarker(IElement element)
    {
        var id = element.Id ?? "";
        var classes = element.GetAttribute("class") ?? "";
        if (id.Length == 0 && classes.Length == 0)
        {
            return false;
        }

        foreach (var marker in BoilerplateMarkers)
        {
            if (id.Contains(marker, StringComparison.OrdinalIgnoreCase) || classes.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes inline text with HTML whitespace collapsing and pending line or paragraph breaks.</summary>
    private sealed class BlockWriter
    {
        private readonly StringBuilder _text = new();
        private int _pendingBreak;
        private bool _pendingSpace;

        public void Write(string text, bool preserve)
        {
            foreach (var c in preserve ? Whitespace.NormaliseNewlines(text) : text)
            {
                if (Whitespace.IsInvisible(c))
                {
                    continue;
                }

                if (preserve && c == '\n')
                {
                    Break(1);
                    continue;
                }

                if (!preserve && char.IsWhiteSpace(c))
                {
                    _pendingSpace = true;
                    continue;
                }

                if (_text.Length > 0 && _pendingBreak > 0)
                {
                    _text.Append(_pendingBreak == 2 ? "\n\n" : "\n");
                }
                else if (_pendingSpace && _pendingBreak == 0 && _text.Length > 0 && _text[^1] != '\n')
                {
                    _text.Append(' ');
                }

                _pendingBreak = 0;
                _pendingSpace = false;
                _text.Append(char.IsWhiteSpace(c) ? ' ' : c);
            }
        }

        public void Space() => _pendingSpace = true;

        public void Break(int kind)
        {
            if (kind > 0)
            {
                _pendingBreak = Math.Max(_pendingBreak, kind);
                _pendingSpace = false;
            }
        }

        public string Take()
        {
            var text = _text.ToString();
            _text.Clear();
            _pendingBreak = 0;
            _pendingSpace = false;
            return text;
        }
    }
}
