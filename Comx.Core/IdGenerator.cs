using System.Security.Cryptography;

namespace Comx.Core;

/// <summary>
/// Prefixed random ids (<c>ses_…</c>). 20 random bytes (160 bits) in lowercase base32, so an id that grants access
/// on its own cannot be guessed, and every id is safe as a Table Storage key and in a URL.
/// </summary>
public sealed class IdGenerator
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public string New(string prefix) => prefix + "_" + Random(20);

    /// <summary>
    /// An id whose ordinal order is its creation order (milliseconds, base32hex, then 104 random bits), for rows
    /// listed by time such as messages: <c>?after=msg_…</c> is then a key range.
    /// </summary>
    public string NewSortable(string prefix, DateTimeOffset time)
    {
        const string SortableAlphabet = "0123456789abcdefghijklmnopqrstuv";
        var milliseconds = (ulong)time.ToUnixTimeMilliseconds();
        Span<char> stamp = stackalloc char[10];
        for (var i = 9; i >= 0; i--)
        {
            stamp[i] = SortableAlphabet[(int)(milliseconds & 31)];
            milliseconds >>= 5;
        }

        return prefix + "_" + new string(stamp) + Random(13);
    }

    /// <summary>A random secret string of <paramref name="bytes"/> bytes of entropy.</summary>
    public string Random(int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        var chars = new char[(bytes * 8 + 4) / 5];
        int bitBuffer = 0, bitCount = 0, index = 0;
        foreach (var b in buffer)
        {
            bitBuffer = (bitBuffer << 8) | b;
            bitCount += 8;
            while (bitCount >= 5)
            {
                chars[index++] = Alphabet[(bitBuffer >> (bitCount - 5)) & 31];
                bitCount -= 5;
            }
        }

        if (bitCount > 0)
        {
            chars[index++] = Alphabet[(bitBuffer << (5 - bitCount)) & 31];
        }

        return new string(chars, 0, index);
    }
}
