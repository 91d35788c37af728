using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Comx.Tests.Knowledge.Content;

/// <summary>PDFs written with PdfPig's own builder, laid out like a real policy document.</summary>
internal static class TestPdf
{
    public const string Footer = "Oakwood Primary School - Safeguarding policy";

    /// <summary>
    /// Three pages: a 20 pt title, 15 pt numbered headings, 11 pt body with 14 pt leading, a word hyphenated at a line
    /// end, a paragraph running over a page break, and a running footer plus "Page n of 3" on every page.
    /// </summary>
    public static byte[] Policy(string? metadataTitle = "Safeguarding and child protection policy")
    {
        using var pdf = new Writer(metadataTitle);
        pdf.NewPage();
        pdf.Heading("Safeguarding policy", 20);
        pdf.Body(
            "Oakwood Primary School is committed to keeping every child safe. This policy explains how staff,",
            "volunteers and governors protect pupils from harm and what they do when they are worried about a",
            "child.");
        pdf.Heading("1. Purpose", 15);
        pdf.Body(
            "The policy applies to everyone working in the school. It follows the statutory guidance Keeping",
            "Children Safe in Education and the procedures of the local safeguarding partnership. All staff read",
            "it when they join and each September.");
        pdf.Body(
            "Staff must never promise a child that they will keep a secret. They record the conversation and pass",
            "the infor-",
            "mation to the designated safeguarding lead the same day.");
        pdf.NewPage();
        pdf.Heading("2. Responsibilities", 15);
        pdf.Body(
            "The designated safeguarding lead is Mrs Patel, the deputy headteacher. In her absence the deputy",
            "designated lead, Mr Jones, takes on the role. Both have completed advanced training and refresh it",
            "every two years, and they");
        pdf.NewPage();
        pdf.Body(
            "keep the single central record of checks up to date for every adult who works with pupils.");
        pdf.Heading("3. Reporting a concern", 15);
        pdf.Body(
            "Any adult with a concern about a child should speak to the designated safeguarding lead at once. If a",
            "child is in immediate danger, call 999. Concerns about a member of staff go to the headteacher.");
        return pdf.Build(Footer);
    }

    /// <summary>One page of 11 pt body text and no headings.</summary>
    public static byte[] Plain(string? metadataTitle, params string[] lines)
    {
        using var pdf = new Writer(metadataTitle);
        pdf.NewPage();
        pdf.Body(lines);
        return pdf.Build(footer: null);
    }

    /// <summary>A page with nothing on it, as a scanned document without a text layer reads.</summary>
    public static byte[] NoText()
    {
        using var builder = new PdfDocumentBuilder();
        builder.AddPage(PageSize.A4);
        return builder.Build();
    }

    private sealed class Writer : IDisposable
    {
        private readonly PdfDocumentBuilder _builder = new();
        private readonly PdfDocumentBuilder.AddedFont _regular;
        private readonly PdfDocumentBuilder.AddedFont _bold;
        private readonly List<PdfPageBuilder> _pages = [];
        private double _y;

        public Writer(string? title)
        {
            if (title is not null)
            {
                _builder.DocumentInformation.Title = title;
            }

            _regular = _builder.AddStandard14Font(Standard14Font.Helvetica);
            _bold = _builder.AddStandard14Font(Standard14Font.HelveticaBold);
        }

        public void NewPage()
        {
            _pages.Add(_builder.AddPage(PageSize.A4));
            _y = 780;
        }

        public void Heading(string text, double size)
        {
            _y -= size;
            _pages[^1].AddText(text, size, new PdfPoint(60, _y), _bold);
            _y -= size * 0.8;
        }

        public void Body(params string[] lines)
        {
            foreach (var line in lines)
            {
                _y -= 14;
                _pages[^1].AddText(line, 11, new PdfPoint(60, _y), _regular);
            }

            _y -= 12;
        }

        public byte[] Build(string? footer)
        {
            for (var i = 0; i < _pages.Count; i++)
            {
                if (footer is not null)
                {
                    _pages[i].AddText(footer, 9, new PdfPoint(60, 40), _regular);
                    _pages[i].AddText($"Page {i + 1} of {_pages.Count}", 9, new PdfPoint(480, 40), _regular);
                }
            }

            return _builder.Build();
        }

        public void Dispose() => _builder.Dispose();
    }
}
