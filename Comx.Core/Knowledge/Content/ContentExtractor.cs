using System.Net.Http.Headers;
using System.Text.Unicode;

namespace Comx.Core.Knowledge.Content;

/// <summary>
/// Turns fetched or uploaded bytes into readable text sections: HTML, PDF, Word (.docx), Markdown and plain text. The declared
/// content type decides, except when it is missing or generic (<c>application/octet-stream</c>), when the bytes
/// (<c>%PDF</c>, image and archive signatures, an HTML start) and the file extension of the URL or file name do.
/// Markdown served as <c>text/plain</c> (as raw file hosts do) is read as Markdown when the name ends in <c>.md</c>.
/// </summary>
public static class ContentExtractor
{
    private static readonly HashSet<string> GenericTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/octet-stream", "binary/octet-stream", "application/unknown", "application/binary",
        "application/download", "application/x-download", "application/force-download", "application/x-unknown",
    };

    private enum Format
    {
        Html,
        Pdf,
        Markdown,
        Text,
        Docx,
    }

    /// <param name="content">The raw bytes, exactly as received.</param>
    /// <param name="contentType">The Content-Type header (with any charset), or null.</param>
    /// <param name="nameHint">The URL or file name, for its extension; may be null.</param>
    public static ExtractionResult Extract(byte[] content, string? contentType, string? nameHint)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0)
        {
            return ExtractionResult.Fail(ExtractionErrorKind.NoText, "The document is empty.");
        }

        string? mediaType = null, charset = null;
        if (!string.IsNullOrWhiteSpace(contentType) && MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            mediaType = parsed.MediaType?.ToLowerInvariant();
            charset = parsed.CharSet;
        }

        var extension = Extension(nameHint);
        Format? format = mediaType switch
        {
            null => null,
            "text/html" or "application/xhtml+xml" => Format.Html,
            "application/pdf" or "application/x-pdf" => Format.Pdf,
            "text/markdown" or "text/x-markdown" => Format.Markdown,
            DocxExtraction.MediaType => Format.Docx,
            "text/plain" => extension is ".md" or ".markdown" ? Format.Markdown : Format.Text,
            _ => null,
        };

        if (format is null && mediaType is not null && !GenericTypes.Contains(mediaType))
        {
            return Refuse(mediaType);
        }

        if (format is null)
        {
            var (sniffed, sniffedType) = Sniff(content, extension);
            if (sniffed is null)
            {
                return Refuse(sniffedType);
            }

            format = sniffed;
        }

        return format switch
        {
            Format.Pdf => PdfExtraction.Extract(content),
            Format.Docx => DocxExtraction.Extract(content),
            Format.Html => HtmlExtraction.Extract(TextDecoding.Decode(content, charset, sniffHtmlMeta: true)),
            Format.Markdown => MarkdownExtraction.Extract(TextDecoding.Decode(content, charset, sniffHtmlMeta: false)),
            _ => PlainTextExtraction.Extract(TextDecoding.Decode(content, charset, sniffHtmlMeta: false)),
        };
    }

    private static ExtractionResult Refuse(string mediaType) =>
        ExtractionResult.Fail(ExtractionErrorKind.UnsupportedContentType, $"unsupported content type: {mediaType}");

    /// <summary>Guesses the format of bytes without a useful content type; null with a type name when unsupported.</summary>
    private static (Format? Format, string Type) Sniff(byte[] content, string? extension)
    {
        var head = content.AsSpan(0, Math.Min(content.Length, 1024));
        if (head.IndexOf("%PDF-"u8) >= 0)
        {
            return (Format.Pdf, "application/pdf");
        }

        if (extension == ".docx" && content is [(byte)'P', (byte)'K', 0x03, 0x04, ..])
        {
            return (Format.Docx, DocxExtraction.MediaType);
        }

        if (KnownBinary(content) is { } binary)
        {
            return (null, binary);
        }

        switch (extension)
        {
            case ".pdf":
                return (Format.Pdf, "application/pdf");
            case ".html" or ".htm" or ".xhtml" or ".shtml":
                return (Format.Html, "text/html");
            case ".md" or ".markdown" or ".mdown" or ".mkd":
                return (Format.Markdown, "text/markdown");
            case ".txt" or ".text":
                return (Format.Text, "text/plain");
        }

        var hasBom = content is [0xEF, 0xBB, 0xBF, ..] or [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..];
        var sample = content.AsSpan(0, Math.Min(content.Length, 8192));
        if (!hasBom && (sample.Contains((byte)0) || !Utf8.IsValid(TrimPartialCharacter(sample))))
        {
            return (null, "application/octet-stream");
        }

        var start = System.Text.Encoding.UTF8.GetString(sample).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (start.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || start.StartsWith("<html", StringComparison.OrdinalIgnoreCase)
            || start.StartsWith("<head", StringComparison.OrdinalIgnoreCase) || start.StartsWith("<body", StringComparison.OrdinalIgnoreCase)
            || (start.StartsWith("<!--", StringComparison.Ordinal) && start.Contains("<html", StringComparison.OrdinalIgnoreCase)))
        {
            return (Format.Html, "text/html");
        }

        return (Format.Text, "text/plain");
    }

    private static string? KnownBinary(byte[] content)
    {
        var bytes = content.AsSpan();
        return bytes switch
        {
            [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "image/png",
            [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "image/gif",
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
            [(byte)'P', (byte)'K', 0x03, 0x04, ..] => "application/zip",
            [0x1F, 0x8B, ..] => "application/gzip",
            [0xD0, 0xCF, 0x11, 0xE0, ..] => "application/x-ole-storage",
            [0x7F, (byte)'E', (byte)'L', (byte)'F', ..] => "application/x-executable",
            [(byte)'M', (byte)'Z', ..] => "application/x-msdownload",
            _ => null,
        };
    }

    /// <summary>A sample cut at a fixed length may end inside a multi-byte character; that is not invalid UTF-8.</summary>
    private static ReadOnlySpan<byte> TrimPartialCharacter(ReadOnlySpan<byte> sample)
    {
        for (var i = 1; i <= 3 && i <= sample.Length; i++)
        {
            var b = sample[^i];
            if ((b & 0xC0) != 0x80)
            {
                // A lead byte of a sequence longer than what follows it: cut before it.
                var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return length > i ? sample[..^i] : sample;
            }
        }

        return sample;
    }

    private static string? Extension(string? nameHint)
    {
        if (string.IsNullOrWhiteSpace(nameHint))
        {
            return null;
        }

        var path = Uri.TryCreate(nameHint, UriKind.Absolute, out var uri) && !uri.IsFile ? uri.AbsolutePath : nameHint;
        var cut = path.IndexOfAny(['?', '#']);
        if (cut >= 0)
        {
            path = path[..cut];
        }

        var extension = Path.GetExtension(path);
        return string.IsNullOrEmpty(extension) ? null : extension.ToLowerInvariant();
    }
}
