using System.Text;
using Comx.Core.Knowledge.Content;

namespace Comx.Tests.Knowledge.Content;

public sealed class ContentExtractorTests
{
    internal static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Content", name));

    private static ExtractedDocument Extract(byte[] content, string? contentType, string? hint = null)
    {
        var result = ContentExtractor.Extract(content, contentType, hint);
        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.All(result.Document.Sections, s => Assert.False(string.IsNullOrWhiteSpace(s.Text)));
        return result.Document;
    }

    private static string AllText(ExtractedDocument document) =>
        string.Join("\n\n", document.Sections.Select(s => s.Heading + "\n" + s.Text));

    [Fact]
    public void SchoolPage_KeepsMainContentAndHeadings_DropsBoilerplate()
    {
        var document = Extract(Fixture("school-admissions.html"), "text/html; charset=utf-8", "https://oakwood.example/admissions");

        Assert.Equal("Admissions | Oakwood Primary School", document.Title);
        Assert.Equal(
            ["Admissions", "How to apply", "Autumn term", "Spring term", "Uniform and costs", "Visiting the school"],
            document.Sections.Select(s => s.Heading));

        var text = AllText(document);
        Assert.Contains("Applications for Reception places are made through the local authority", text);
        Assert.Contains("children aged 4 to 11", text); // &nbsp; read as a space
        Assert.Contains("A sweatshirt costs £12.50", text);
        Assert.Contains("01234 567890", text);
        foreach (var boilerplate in new[]
        {
            "Skip to main content", "We use cookies", "Accept all cookies", "Parent Portal", "Search the site", "Latest news",
            "Sports day", "1 Acorn Lane", "All rights reserved", "Follow us", "gtag", "schema.org", "font-family",
            "Sign up for our newsletter", "Subscribe", "Hidden draft", "invisible block", "Oakwood Primary School logo",
        })
        {
            Assert.DoesNotContain(boilerplate, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void SchoolPage_HeadingPathsFollowTheOutline()
    {
        var document = Extract(Fixture("school-admissions.html"), "text/html");
        var autumn = document.Sections.Single(s => s.Heading == "Autumn term");
        Assert.Equal(["Admissions", "Term dates 2025–26", "Autumn term"], autumn.HeadingPath);
        Assert.Equal(["Admissions", "How to apply"], document.Sections.Single(s => s.Heading == "How to apply").HeadingPath);
        Assert.Equal(["Admissions"], document.Sections[0].HeadingPath);
    }

    [Fact]
    public void SchoolPage_ListsAndTablesReadAsLines()
    {
        var document = Extract(Fixture("school-admissions.html"), "text/html");
        var apply = document.Sections.Single(s => s.Heading == "How to apply").Text;
        Assert.StartsWith("1. Read the admissions policy and the oversubscription criteria.\n2. Apply online", apply);
        Assert.Contains("\n3. If you are applying", apply);
        Assert.Contains("\n\nIf you need help with the application", apply);

        var autumn = document.Sections.Single(s => s.Heading == "Autumn term").Text;
        Assert.Equal("Event | Date\nTerm starts | Wednesday 3 September 2025\nHalf term | 27–31 October 2025\nTerm ends | Friday 19 December 2025", autumn);
    }

    [Fact]
    public void ArticleWithoutMain_UsesTheArticle_KeepsItsHeader_DropsConsentNavigationAndFooters()
    {
        var document = Extract(Fixture("charity-article.html"), "text/html");

        Assert.Equal("Food bank opening times – Riverside Community Trust", document.Title);
        Assert.Equal(["Food bank opening times", "When we are open", "What to bring", "If you cannot get a voucher"], document.Sections.Select(s => s.Heading));
        Assert.Contains("Posted 2 October 2025", document.Sections[0].Text);
        Assert.Equal("- Monday 10am – 12pm\n- Wednesday 2pm – 4pm\n- Friday 10am – 1pm", document.Sections[1].Text);

        var text = AllText(document);
        foreach (var boilerplate in new[] { "Accept All Cookies", "Cookie settings", "Donate now", "Volunteer with us", "Tags:", "Share on", "quiz night", "monthly newsletter", "registered charity" })
        {
            Assert.DoesNotContain(boilerplate, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void PageWrappedInAForm_IsNotThrownAway()
    {
        var document = Extract(Fixture("webforms-page.html"), "text/html");

        Assert.Equal("Clubs and Activities - Hillside Academy", document.Title);
        Assert.Equal(["Clubs and Activities", "Sport", "Music and drama"], document.Sections.Select(s => s.Heading));
        var text = AllText(document);
        Assert.Contains("more than twenty after-school clubs", text);
        Assert.DoesNotContain("VIEWSTATE", text);
        Assert.DoesNotContain("News", text);
        Assert.DoesNotContain("Copyright", text);
    }

    [Fact]
    public void PageTitleAboveMain_BecomesTheOutermostHeading()
    {
        var html = """
            <html><head><title>Contact us</title></head><body>
            <nav><a href="/">Home</a></nav>
            <div class="page-title"><h1>Contact us</h1></div>
            <main><p>The school office is open from 8am to 4pm on weekdays during term time, and closed in the holidays.</p>
            <h2>Address</h2><p>Oakwood Primary School, 1 Acorn Lane, Oakwood OK1 2AB. Visitors sign in at reception on arrival.</p></main>
            </body></html>
            """;
        var document = Extract(Encoding.UTF8.GetBytes(html), "text/html");
        Assert.Equal(["Contact us"], document.Sections[0].HeadingPath);
        Assert.Equal(["Contact us", "Address"], document.Sections[1].HeadingPath);
    }

    [Fact]
    public void HeaderInsideMain_IsContent_HeaderAndFooterOutsideAreNot()
    {
        var html = """
            <body><header><a href="/">Site name</a></header>
            <main><header><h1>Term dates</h1><p class="meta">Updated May 2025</p></header>
            <p>Autumn term starts on 3 September.</p><footer>Share this page</footer></main>
            <footer>Copyright</footer></body>
            """;
        var document = Extract(Encoding.UTF8.GetBytes(html), "text/html");
        var section = Assert.Single(document.Sections);
        Assert.Equal("Term dates", section.Heading);
        Assert.Equal("Updated May 2025\n\nAutumn term starts on 3 September.", section.Text);
    }

    [Fact]
    public void TextBeforeAnyHeading_HasNoHeading()
    {
        var document = Extract("<p>Welcome to our site.</p><h2>News</h2><p>Nothing yet.</p>"u8.ToArray(), "text/html");
        Assert.Null(document.Sections[0].Heading);
        Assert.Empty(document.Sections[0].HeadingPath);
        Assert.Equal("Welcome to our site.", document.Sections[0].Text);
        Assert.Equal("News", document.Sections[1].Heading);
    }

    [Fact]
    public void InlineMarkup_DoesNotSplitWords_AndBlocksDoNotRunTogether()
    {
        var document = Extract("<div>Opening <b>hours</b>: 9<span>am</span></div><div>Closed Sundays</div><p>Line one<br>Line two</p>"u8.ToArray(), "text/html");
        Assert.Equal("Opening hours: 9am\n\nClosed Sundays\n\nLine one\nLine two", document.Sections[0].Text);
    }

    [Fact]
    public void OnlyBoilerplate_IsNoText()
    {
        var result = ContentExtractor.Extract("<html><body><nav>Home</nav><footer>© 2025</footer><script>x()</script></body></html>"u8.ToArray(), "text/html", null);
        Assert.False(result.Succeeded);
        Assert.Equal(ExtractionErrorKind.NoText, result.Error.Kind);
    }

    [Fact]
    public void NestingUpToTheLimit_IsRead()
    {
        var html = new StringBuilder("<html><body>");
        html.Insert(html.Length, "<div>", 500).Append("<p>Deep text.").Insert(html.Length, "</div>", 500);
        html.Append(string.Concat(Enumerable.Repeat("<p>Unclosed paragraph<li>item<br><img src=x>", 2000)));
        html.Append("<script>if (a < b) { x = '<div><div><div>'; }</script><!-- <div><div> -->");
        var document = Extract(Encoding.UTF8.GetBytes(html.ToString()), "text/html");
        Assert.StartsWith("Deep text.", document.Sections[0].Text);
    }

    [Theory]
    [InlineData("<div>")]
    [InlineData("<b><i>")]
    [InlineData("<span class=\"x\">")]
    public void NestingBeyondTheLimit_IsRefusedQuickly(string open)
    {
        var html = "<html><body>" + string.Concat(Enumerable.Repeat(open, 200_000)) + "text";
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = ContentExtractor.Extract(Encoding.UTF8.GetBytes(html), "text/html", null);
        Assert.Equal(ExtractionErrorKind.Unreadable, result.Error?.Kind);
        Assert.Contains("nested", result.Error?.Message);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed}");
    }

    [Theory]
    [InlineData(100_000, ">")]
    [InlineData(20_000, "- ")]
    public void MarkdownNestedTooDeeply_IsUnreadable(int count, string marker)
    {
        var markdown = string.Concat(Enumerable.Repeat(marker, count)) + "text";
        var result = ContentExtractor.Extract(Encoding.UTF8.GetBytes(markdown), "text/markdown", null);
        Assert.Equal(ExtractionErrorKind.Unreadable, result.Error?.Kind);
    }

    [Theory]
    [InlineData("windows-1252", null)]
    [InlineData("iso-8859-1", null)]
    [InlineData(null, "windows-1252")]
    [InlineData(null, "ISO-8859-1")]
    public void LegacyCharset_FromMetaOrHeader_IsDecoded(string? metaCharset, string? headerCharset)
    {
        var meta = metaCharset is null ? "" : $"<meta charset=\"{metaCharset}\">";
        var bytes = CodePages().GetBytes($"<html><head>{meta}<title>Café prices</title></head><body><p>Tea £1.20 – “fresh” crème brûlée.</p></body></html>");
        var document = Extract(bytes, headerCharset is null ? "text/html" : $"text/html; charset={headerCharset}");
        Assert.Equal("Café prices", document.Title);
        Assert.Equal("Tea £1.20 – “fresh” crème brûlée.", document.Sections[0].Text);
    }

    [Fact]
    public void HeaderCharset_WinsOverMeta()
    {
        var bytes = CodePages().GetBytes("<html><head><meta charset=\"utf-8\"></head><body><p>Price £5</p></body></html>");
        Assert.Equal("Price £5", Extract(bytes, "text/html; charset=windows-1252").Sections[0].Text);
    }

    [Fact]
    public void HttpEquivCharset_IsDecoded()
    {
        var bytes = CodePages().GetBytes("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body><p>Naïve café</p></body></html>");
        Assert.Equal("Naïve café", Extract(bytes, "text/html").Sections[0].Text);
    }

    [Fact]
    public void UndeclaredCharset_ValidUtf8IsUtf8_OtherwiseWindows1252()
    {
        Assert.Equal("Zoë’s café", Extract(Encoding.UTF8.GetBytes("<p>Zoë’s café</p>"), "text/html").Sections[0].Text);
        Assert.Equal("Zoë’s café", Extract(CodePages().GetBytes("<p>Zoë’s café</p>"), "text/html").Sections[0].Text);
        Assert.Equal("Zoë’s café", Extract(CodePages().GetBytes("Zoë’s café"), "text/plain").Sections[0].Text);
    }

    [Fact]
    public void ByteOrderMark_WinsOverDeclaration()
    {
        var bytes = new UnicodeEncoding(bigEndian: false, byteOrderMark: true).GetPreamble()
            .Concat(Encoding.Unicode.GetBytes("<p>Grüße</p>")).ToArray();
        Assert.Equal("Grüße", Extract(bytes, "text/html; charset=windows-1252").Sections[0].Text);
    }

    [Fact]
    public void Markdown_HeadingsBecomeSections_TitleFromFrontMatter()
    {
        var document = Extract(Fixture("visitor-guide.md"), "text/markdown; charset=utf-8", "visitor-guide.md");

        Assert.Equal("Visitor guide", document.Title);
        Assert.Equal(["Welcome to Harbour Arts Centre", "Opening hours", "Access", "Assistance dogs", "Getting here"], document.Sections.Select(s => s.Heading));
        Assert.Equal(["Welcome to Harbour Arts Centre", "Access", "Assistance dogs"], document.Sections[3].HeadingPath);

        Assert.Equal(
            "Day | Open | Close\nMonday | closed | closed\nTuesday to Saturday | 10:00 | 17:00\nSunday | 11:00 | 16:00\n\nThe café closes 30 minutes before the centre.",
            document.Sections[1].Text);
        Assert.Equal("- Step-free entrance on Quay Street\n- Hearing loop at the box office\n- Two accessible toilets on the ground floor", document.Sections[2].Text);
        Assert.Equal("Assistance dogs are always welcome. Water bowls are available at the café.", document.Sections[3].Text);
        var gettingHere = document.Sections[4].Text;
        Assert.Contains("Take bus number 7 to the Harbour stop.", gettingHere);
        Assert.Contains("QUAY-DAY £6.00\nQUAY-EVE £3.00", gettingHere);
        Assert.Contains("Groups of ten or more should book ahead.", gettingHere);
        Assert.DoesNotContain("author", AllText(document));
    }

    [Fact]
    public void Markdown_WithoutFrontMatter_TitleIsTheFirstTopHeading()
    {
        var document = Extract("Intro line.\n\n# Handbook\n\n## Part one\n\nText."u8.ToArray(), "text/markdown");
        Assert.Equal("Handbook", document.Title);
        Assert.Null(document.Sections[0].Heading);
    }

    [Theory]
    [InlineData("text/plain", "https://raw.example/org/repo/main/README.md")]
    [InlineData("text/plain; charset=utf-8", "guide.markdown")]
    [InlineData(null, "notes.md")]
    [InlineData("application/octet-stream", "https://files.example/notes.md?download=1")]
    public void MarkdownByExtension_IsReadAsMarkdown(string? contentType, string hint)
    {
        var document = Extract("# Notes\n\nSome *notes*."u8.ToArray(), contentType, hint);
        Assert.Equal("Notes", document.Sections[0].Heading);
        Assert.Equal("Some notes.", document.Sections[0].Text);
    }

    [Fact]
    public void PlainText_ParagraphsAtBlankLines_TitleFromAStandaloneFirstLine()
    {
        var document = Extract(Fixture("privacy-notice.txt"), "text/plain; charset=utf-8");

        Assert.Equal("Privacy notice for parents and carers", document.Title);
        var section = Assert.Single(document.Sections);
        Assert.Null(section.Heading);
        var paragraphs = section.Text.Split("\n\n");
        Assert.Equal(5, paragraphs.Length);
        Assert.StartsWith("This notice explains how Oakwood Primary School collects, uses and stores\npersonal information", paragraphs[1]);
    }

    [Fact]
    public void PlainText_WindowsLineEndings_AndNoTitleLine()
    {
        var document = Extract("First paragraph runs on.\r\nStill first.\r\n\r\n\r\nSecond paragraph."u8.ToArray(), "text/plain");
        Assert.Null(document.Title);
        Assert.Equal("First paragraph runs on.\nStill first.\n\nSecond paragraph.", document.Sections[0].Text);
    }

    [Fact]
    public void Pdf_TitleHeadingsAndParagraphs_RunningFooterAndPageNumbersDropped()
    {
        var document = Extract(TestPdf.Policy(), "application/pdf", "https://oakwood.example/policies/safeguarding.pdf");

        Assert.Equal("Safeguarding and child protection policy", document.Title);
        Assert.Equal(["Safeguarding policy", "1. Purpose", "2. Responsibilities", "3. Reporting a concern"], document.Sections.Select(s => s.Heading));
        Assert.Equal(["Safeguarding policy", "1. Purpose"], document.Sections[1].HeadingPath);

        var purpose = document.Sections[1].Text.Split("\n\n");
        Assert.Equal(2, purpose.Length);
        Assert.StartsWith("The policy applies to everyone working in the school. It follows the statutory guidance Keeping Children Safe", purpose[0]);
        Assert.EndsWith("pass the information to the designated safeguarding lead the same day.", purpose[1]);

        // The paragraph that runs over the page break is one paragraph.
        Assert.Equal(
            "The designated safeguarding lead is Mrs Patel, the deputy headteacher. In her absence the deputy designated lead, Mr Jones, " +
            "takes on the role. Both have completed advanced training and refresh it every two years, and they keep the single central " +
            "record of checks up to date for every adult who works with pupils.",
            document.Sections[2].Text);

        var text = AllText(document);
        Assert.DoesNotContain(TestPdf.Footer, text);
        Assert.DoesNotContain("Page 1", text);
    }

    [Fact]
    public void Pdf_WithoutMetadataTitle_UsesTheFirstTopHeading()
    {
        Assert.Equal("Safeguarding policy", Extract(TestPdf.Policy(metadataTitle: null), "application/pdf").Title);
        Assert.Equal("Safeguarding policy", Extract(TestPdf.Policy(metadataTitle: "Microsoft Word - policy v3.docx"), "application/pdf").Title);
    }

    [Fact]
    public void Pdf_WithoutHeadings_IsOneSectionTitledByItsFirstLine()
    {
        var document = Extract(TestPdf.Plain(null, "Lunch menu week one", "Monday: pasta bake.", "Tuesday: fish pie."), "application/pdf");
        Assert.Equal("Lunch menu week one", document.Title);
        var section = Assert.Single(document.Sections);
        Assert.Null(section.Heading);
        Assert.Equal("Lunch menu week one Monday: pasta bake. Tuesday: fish pie.", section.Text);
    }

    [Fact]
    public void Pdf_WithoutText_IsNoText()
    {
        var result = ContentExtractor.Extract(TestPdf.NoText(), "application/pdf", null);
        Assert.Equal(ExtractionErrorKind.NoText, result.Error?.Kind);
    }

    [Fact]
    public void Pdf_Damaged_IsUnreadable()
    {
        var damaged = TestPdf.Policy()[..200];
        var result = ContentExtractor.Extract(damaged, "application/pdf", null);
        Assert.Equal(ExtractionErrorKind.Unreadable, result.Error?.Kind);

        var garbage = ContentExtractor.Extract("%PDF-1.7\nthis is not really a pdf"u8.ToArray(), "application/pdf", null);
        Assert.False(garbage.Succeeded);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("application/octet-stream", null)]
    [InlineData("binary/octet-stream", "download")]
    [InlineData("application/octet-stream", "https://example.org/file.bin")]
    public void GenericOrMissingType_PdfIsSniffedFromItsBytes(string? contentType, string? hint)
    {
        var document = Extract(TestPdf.Policy(), contentType, hint);
        Assert.Equal("Safeguarding and child protection policy", document.Title);
    }

    [Theory]
    [InlineData(null, "https://example.org/page.html", "<p>Hello there.</p>")]
    [InlineData("application/octet-stream", null, "<!DOCTYPE html><html><body><p>Hello there.</p></body></html>")]
    [InlineData(null, null, "  <html><body><p>Hello there.</p></body></html>")]
    public void GenericOrMissingType_HtmlIsSniffed(string? contentType, string? hint, string html)
    {
        Assert.Equal("Hello there.", Extract(Encoding.UTF8.GetBytes(html), contentType, hint).Sections[0].Text);
    }

    [Fact]
    public void GenericType_TextIsSniffed()
    {
        Assert.Equal("Just some notes.", Extract("Just some notes."u8.ToArray(), "application/octet-stream").Sections[0].Text);
    }

    [Theory]
    [InlineData("image/png", "unsupported content type: image/png")]
    [InlineData("application/zip", "unsupported content type: application/zip")]
    [InlineData("application/msword", "unsupported content type: application/msword")]
    [InlineData("text/csv; charset=utf-8", "unsupported content type: text/csv")]
    [InlineData("video/mp4", "unsupported content type: video/mp4")]
    public void UnsupportedDeclaredType_IsRefusedByName(string contentType, string message)
    {
        var result = ContentExtractor.Extract("whatever"u8.ToArray(), contentType, null);
        Assert.Equal(ExtractionErrorKind.UnsupportedContentType, result.Error?.Kind);
        Assert.Equal(message, result.Error?.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10 }, "image/jpeg")]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4, 20, 0 }, "application/zip")]
    [InlineData(new byte[] { 0x00, 0x01, 0x02, 0xFE, 0x80, 0x81 }, "application/octet-stream")]
    public void GenericType_BinaryIsRefusedWithWhatItLooksLike(byte[] content, string sniffed)
    {
        var result = ContentExtractor.Extract(content, "application/octet-stream", "https://example.org/download");
        Assert.Equal(ExtractionErrorKind.UnsupportedContentType, result.Error?.Kind);
        Assert.Equal($"unsupported content type: {sniffed}", result.Error?.Message);
    }

    [Fact]
    public void ImageWithATextExtension_IsStillRefused()
    {
        var result = ContentExtractor.Extract([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], null, "photo.txt");
        Assert.Equal("unsupported content type: image/png", result.Error?.Message);
    }

    [Fact]
    public void EmptyContent_IsNoText()
    {
        var result = ContentExtractor.Extract([], "text/html", null);
        Assert.Equal(ExtractionErrorKind.NoText, result.Error?.Kind);
    }

    private static Encoding CodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }
}
