using System.Text;
using Comx.Core.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Comx.Core.Knowledge;

/// <summary>The fields of <c>POST /org/v1/sources/files</c>, for the OpenAPI document: <c>file</c> (binary) and <c>title</c>.</summary>
public sealed record UploadSourceForm(string File, string? Title = null);

/// <summary>
/// Reads and checks an uploaded source file: <c>multipart/form-data</c> with a <c>file</c> part (PDF, DOCX, Markdown,
/// plain text or HTML, by declared type or file name, checked against the bytes) and an optional <c>title</c>.
/// </summary>
public static class SourceUpload
{
    public const int MaxFileBytes = 10 * 1024 * 1024;

    /// <summary>The route's body limit: the file plus room for the multipart framing and the title.</summary>
    public const int MaxBodyBytes = MaxFileBytes + (64 * 1024);

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = "application/pdf",
        [".docx"] = Content.DocxExtraction.MediaType,
        [".md"] = "text/markdown",
        [".markdown"] = "text/markdown",
        [".txt"] = "text/plain",
        [".text"] = "text/plain",
        [".html"] = "text/html",
        [".htm"] = "text/html",
    };

    private static readonly HashSet<string> Supported = new(ByExtension.Values, StringComparer.OrdinalIgnoreCase);

    public static async Task<ApiResultOr<(UploadedFile File, string Title)>> ReadAsync(string? contentType, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return ApiError.Validation("content_type", "Content-Type must be multipart/form-data with a boundary, the file in a part named file.");
        }

        UploadedFile? file = null;
        string? title = null;
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body.ToArray(), writable: false)) { BodyLengthLimit = MaxFileBytes + 1 };
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                using var buffer = new MemoryStream();
                await section.Body.CopyToAsync(buffer, cancellationToken);
                if (name == "file" && disposition.IsFileDisposition())
                {
                    var fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "");
                    file = new UploadedFile(fileName, section.ContentType ?? "", buffer.ToArray());
                }
                else if (name == "title")
                {
                    title = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).Trim();
                }
            }
        }
        catch (InvalidDataException e) when (e.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            return TooLarge();
        }
        catch (IOException)
        {
            return ApiError.Validation("body", "The multipart body is malformed.");
        }

        if (file is null)
        {
            return ApiError.Validation("file", "A part named file with a filename is required.");
        }

        if (file.Content.Length == 0)
        {
            return ApiError.Validation("file", "The file is empty.");
        }

        if (file.Content.Length > MaxFileBytes)
        {
            return TooLarge();
        }

        if (title is { Length: > CreateSourceRequest.MaxTitleLength })
        {
            return ApiError.Validation("title", $"title is 1 to {CreateSourceRequest.MaxTitleLength} characters.");
        }

        if (Detect(file) is not { } detected)
        {
            return ApiError.Validation("file", "Unsupported file type: upload PDF, Word (.docx), Markdown, plain text or HTML.");
        }

        var storedName = file.FileName.Length > 0 ? file.FileName : "upload";
        var resolvedTitle = string.IsNullOrWhiteSpace(title) ? Path.GetFileNameWithoutExtension(storedName) : title;
        if (resolvedTitle.Length > CreateSourceRequest.MaxTitleLength)
        {
            resolvedTitle = resolvedTitle[..CreateSourceRequest.MaxTitleLength];
        }

        return (file with { FileName = storedName, ContentType = detected }, resolvedTitle.Length == 0 ? storedName : resolvedTitle);
    }

    private static ApiError TooLarge() =>
        new(ErrorCode.PayloadTooLarge, $"The file is larger than {MaxFileBytes / (1024 * 1024)} MB.");

    /// <summary>
    /// The media type the file is stored under: the declared one when supported (a generic one defers to the file
    /// name), and only when the bytes agree (a PDF starts with <c>%PDF-</c>, a .docx is a zip, text is not binary).
    /// </summary>
    private static string? Detect(UploadedFile file)
    {
        var declared = MediaTypeHeaderValue.TryParse(file.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        var type = declared is not null && Supported.Contains(declared) ? declared
            : ByExtension.TryGetValue(Path.GetExtension(file.FileName), out var byName) ? byName
            : null;
        var bytes = file.Content.Span;
        return type switch
        {
            null => null,
            "application/pdf" => bytes[..Math.Min(bytes.Length, 1024)].IndexOf("%PDF-"u8) >= 0 ? type : null,
            Content.DocxExtraction.MediaType => bytes is [(byte)'P', (byte)'K', 0x03, 0x04, ..] ? type : null,
            _ => LooksLikeText(bytes) ? type : null,
        };
    }

    /// <summary>Text in any charset the extractor decodes: a UTF-16 BOM, or no NUL bytes in the first 8 KB (binary files have them).</summary>
    private static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        var sample = bytes[..Math.Min(bytes.Length, 8192)];
        return sample is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] || !sample.Contains((byte)0);
    }
}
