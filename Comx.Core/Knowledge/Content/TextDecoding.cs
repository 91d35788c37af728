using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace Comx.Core.Knowledge.Content;

/// <summary>
/// Bytes to text, in the order browsers use: byte order mark, then the declared charset (Content-Type), then for HTML a
/// <c>&lt;meta charset&gt;</c> in the first 1024 bytes, then UTF-8 if the bytes are valid UTF-8, else windows-1252.
/// Labels follow the WHATWG Encoding Standard where it differs from .NET (iso-8859-1 and us-ascii mean windows-1252).
/// </summary>
internal static partial class TextDecoding
{
    static TextDecoding()
    {
        // windows-1252, iso-8859-x, shift_jis, gb2312 and friends are not built into .NET without this provider.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public static string Decode(byte[] bytes, string? declaredCharset, bool sniffHtmlMeta)
    {
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        }

        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        }

        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2);
        }

        var encoding = Lookup(declaredCharset, fromMeta: false)
            ?? (sniffHtmlMeta ? Lookup(MetaCharset(bytes), fromMeta: true) : null)
            ?? (Utf8.IsValid(bytes) ? Encoding.UTF8 : Lookup("windows-1252", fromMeta: false)!);
        return encoding.GetString(bytes);
    }

    /// <summary>The charset a <c>&lt;meta&gt;</c> in the first 1024 bytes declares, or null.</summary>
    internal static string? MetaCharset(byte[] bytes)
    {
        var head = Encoding.Latin1.GetString(bytes, 0, Math.Min(bytes.Length, 1024));
        var match = MetaCharsetPattern().Match(head);
        return match.Success ? match.Groups["charset"].Value : null;
    }

    internal static Encoding? Lookup(string? label, bool fromMeta)
    {
        var name = label?.Trim().Trim('"', '\'').Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        name = name switch
        {
            "iso-8859-1" or "iso8859-1" or "iso_8859-1" or "latin1" or "l1" or "us-ascii" or "ascii" or "cp1252" or "x-cp1252" => "windows-1252",
            "utf8" or "unicode-1-1-utf-8" => "utf-8",
            // A document that declares UTF-16 in a meta tag cannot really be UTF-16 (the tag was readable as ASCII).
            "utf-16" or "utf-16le" or "utf-16be" when fromMeta => "utf-8",
            _ => name,
        };

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex("""<meta[^>]+?charset\s*=\s*["']?\s*(?<charset>[A-Za-z0-9_:.\-]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaCharsetPattern();
}
