namespace Comx.Core.Knowledge.Retrieval;

/// <summary>
/// Case and accent folding to lowercase ASCII for Latin scripts: <c>É→e</c>, <c>ß→ss</c>, <c>æ→ae</c>, <c>ø→o</c>,
/// <c>þ→th</c>, Vietnamese tone marks removed, and the <c>ﬁ ﬂ</c> ligatures that PDF extraction leaves behind.
/// Letters of other scripts are only lowercased.
/// </summary>
/// <remarks>
/// A table rather than <c>string.Normalize(FormD)</c>: the app runs with invariant globalization, where normalisation
/// silently returns its input unchanged. The tables hold two characters per code point (space-padded; two spaces:
/// no ASCII form, keep the lowercase letter) and were generated from Unicode 14's NFKD decompositions, with the
/// letters that have none (ß ø đ ł þ æ œ …) mapped by hand.
/// </remarks>
internal static class TextFolding
{
    /// <summary>Appends the folded, lowercase form of <paramref name="c"/> (a letter or digit) to a buffer.</summary>
    public static void Append(char c, ref CharBuffer buffer)
    {
        if (c < 0x80)
        {
            buffer.Append(c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c);
            return;
        }

        var table = c switch
        {
            >= '\u00C0' and <= '\u024F' => (Latin, 0xC0),
            >= '\u1E00' and <= '\u1EFF' => (LatinExtendedAdditional, 0x1E00),
            _ => ((string?)null, 0),
        };
        if (table.Item1 is { } folds)
        {
            var at = (c - table.Item2) * 2;
            if (folds[at] != ' ')
            {
                buffer.Append(folds[at]);
                if (folds[at + 1] != ' ')
                {
                    buffer.Append(folds[at + 1]);
                }

                return;
            }
        }

        switch (c)
        {
            case '\uFB00': buffer.Append('f'); buffer.Append('f'); return;
            case '\uFB01': buffer.Append('f'); buffer.Append('i'); return;
            case '\uFB02': buffer.Append('f'); buffer.Append('l'); return;
            case '\uFB03': buffer.Append('f'); buffer.Append('f'); buffer.Append('i'); return;
            case '\uFB04': buffer.Append('f'); buffer.Append('f'); buffer.Append('l'); return;
            case '\uFB05' or '\uFB06': buffer.Append('s'); buffer.Append('t'); return;
            default: buffer.Append(char.ToLowerInvariant(c)); return;
        }
    }

    // U+00C0..U+024F
    private const string Latin =
        "a a a a a a aec e e e e i i i i d n o o o o o   o u u u u y thss" +
        "a a a a a a aec e e e e i i i i d n o o o o o   o u u u u y thy " +
        "a a a a a a c c c c c c c c d d d d e e e e e e e e e e g g g g " +
        "g g g g h h h h i i i i i i i i i i ijijj j k k k l l l l l l l " +
        "l l l n n n n n n n n n o o o o o o oeoer r r r r r s s s s s s " +
        "s s t t t t t t u u u u u u u u u u u u w w y y y z z z z z z s " +
        "b                                   f         i                 " +
        "o o                           u u         z z                   " +
        "        dzdzdzljljljnjnjnja a i i o o u u u u u u u u u u   a a " +
        "a a aeaeg g g g k k o o o o     j dzdzdzg g     n n a a aeaeo o " +
        "a a a a e e e e i i i i o o o o r r r r u u u u s s t t     h h " +
        "            a a e e o o o o o o o o y y                         " +
        "            e e                 ";
    // U+1E00..U+1EFF
    private const string LatinExtendedAdditional =
        "a a b b b b b b c c d d d d d d d d d d e e e e e e e e e e f f " +
        "g g h h h h h h h h h h i i i i k k k k k k l l l l l l l l m m " +
        "m m m m n n n n n n n n o o o o o o o o p p p p r r r r r r r r " +
        "s s s s s s s s s s t t t t t t t t u u u u u u u u u u v v v v " +
        "w w w w w w w w w w x x x x y y z z z z z z h t w y a s     ss  " +
        "a a a a a a a a a a a a a a a a a a a a a a a a e e e e e e e e " +
        "e e e e e e e e i i i i o o o o o o o o o o o o o o o o o o o o " +
        "o o o o u u u u u u u u u u u u u u y y y y y y y y             ";
}
