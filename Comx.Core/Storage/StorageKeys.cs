using System.Security.Cryptography;
using System.Text;

namespace Comx.Core.Storage;

/// <summary>
/// Key rules for Table Storage. PartitionKey and RowKey may not contain <c>/ \ # ?</c> or control characters, so
/// anything a caller supplies is hashed before it becomes a key. Reverse ticks make RowKeys sort newest first.
/// </summary>
public static class StorageKeys
{
    public static string Hash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32];

    /// <summary>A RowKey prefix that sorts newest first: 19 digits of (max ticks − ticks).</summary>
    public static string NewestFirst(DateTimeOffset time) =>
        (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A RowKey prefix that sorts oldest first.</summary>
    public static string OldestFirst(DateTimeOffset time) =>
        time.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when a caller-supplied id could be used as a key as-is (our prefixed random ids always can).</summary>
    public static bool IsSafeKey(string value) =>
        value.Length is > 0 and <= 200 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':');
}
