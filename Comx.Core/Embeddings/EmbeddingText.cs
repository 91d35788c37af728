using System.Text;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Core.Embeddings;

/// <summary>
/// Prepares text for the MiniLM word-piece tokenizer, which lowercases but neither strips accents nor knows curly
/// punctuation: "café" became "caf [UNK]" and "“fees”" split into pieces the model never saw in training. Letters are
/// folded as the retrieval analyser folds them (one rule for both), typographic quotes and dashes become ASCII, and
/// runs of whitespace collapse to one space.
/// </summary>
internal static class EmbeddingText
{
    public static string Fold(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var output = new StringBuilder(text.Length);
        Span<char> letter = stackalloc char[4];
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                pendingSpace = output.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                output.Append(' ');
                pendingSpace = false;
            }

            if (char.IsLetterOrDigit(c))
            {
                var buffer = new CharBuffer(letter);
                TextFolding.Append(c, ref buffer);
                output.Append(letter[..buffer.Length]);
                continue;
            }

            output.Append(c switch
            {
                '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032' or '\u00B4' or '`' => '\'',
                '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u2033' or '\u00AB' or '\u00BB' => '"',
                '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' => '-',
                '\u2022' or '\u00B7' or '\u25AA' or '\u25CF' => '-',
                '\u2026' => '.',
                _ => c,
            });
        }

        return output.ToString();
    }
}
