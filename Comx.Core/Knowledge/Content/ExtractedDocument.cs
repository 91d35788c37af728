using System.Diagnostics.CodeAnalysis;

namespace Comx.Core.Knowledge.Content;

/// <summary>The readable text of a fetched or uploaded document, in heading-led sections, in reading order.</summary>
/// <param name="Title">From the document itself (HTML title, PDF metadata, front matter, first heading), or null.</param>
/// <param name="Sections">At least one; each with text.</param>
public sealed record ExtractedDocument(string? Title, IReadOnlyList<Section> Sections);

/// <summary>
/// Text under one heading. <see cref="Text"/> is never empty: paragraphs separated by a blank line, list items and table
/// rows on their own lines. A heading with no text of its own (say a chapter heading straight before its first
/// sub-heading) produces no section, but still appears in the <see cref="HeadingPath"/> of the sections below it.
/// </summary>
/// <param name="Heading">The nearest heading above the text, or null for text before the first heading.</param>
/// <param name="Text">The readable text under it.</param>
public sealed record Section(string? Heading, string Text)
{
    /// <summary>The enclosing headings, outermost first, ending with <see cref="Heading"/>; empty when there is none.</summary>
    public IReadOnlyList<string> HeadingPath { get; init; } = Heading is null ? [] : [Heading];
}

/// <summary>Why no document could be extracted.</summary>
public enum ExtractionErrorKind
{
    /// <summary>Images, archives, office files and anything else we do not read.</summary>
    UnsupportedContentType,

    /// <summary>The document was read but holds no text (empty, all boilerplate, a scanned PDF).</summary>
    NoText,

    /// <summary>A supported type that could not be parsed (corrupt or encrypted PDF).</summary>
    Unreadable,
}

/// <summary>An expected extraction failure, with a message fit to show the organisation.</summary>
public sealed record ExtractionError(ExtractionErrorKind Kind, string Message);

/// <summary>The outcome of <see cref="ContentExtractor.Extract"/>: a document or an error, never both.</summary>
public sealed record ExtractionResult
{
    private ExtractionResult(ExtractedDocument? document, ExtractionError? error)
    {
        Document = document;
        Error = error;
    }

    public ExtractedDocument? Document { get; }

    public ExtractionError? Error { get; }

    [MemberNotNullWhen(true, nameof(Document))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Document is not null;

    public static ExtractionResult Success(ExtractedDocument document) => new(document, null);

    public static ExtractionResult Fail(ExtractionErrorKind kind, string message) => new(null, new ExtractionError(kind, message));

    internal static ExtractionResult From(string? title, IReadOnlyList<Section> sections, string emptyMessage) =>
        sections.Count == 0 ? Fail(ExtractionErrorKind.NoText, emptyMessage) : Success(new ExtractedDocument(title, sections));
}
