using Comx.Core.Storage;

namespace Comx.Core.Chat;

/// <summary>
/// The widget's sync position in a conversation (<c>?after=</c>, <c>next_after</c>): opaque to clients, it names the last
/// message the server sent. Message ids sort in the order the thread committed them (writes to a thread are serialised
/// by its ETag and each message's time is after the previous one), so "after the cursor" never skips a message that was
/// committed later, staff replies included.
/// </summary>
public static class MessageCursor
{
    private const string Version = "c1:";

    /// <summary>The cursor that starts at the beginning of a conversation.</summary>
    public static readonly string Start = Encode(null);

    public static string Encode(string? messageId) => TablePaging.EncodeCursor(Version + messageId)!;

    /// <summary>
    /// Decodes a cursor to the message id it names ("" for the start), or null when it is not one this API could have
    /// issued. Whether the message is really in the caller's conversation is checked by the caller.
    /// </summary>
    public static string? Decode(string cursor)
    {
        if (cursor.Length is 0 or > 200 || TablePaging.DecodeCursor(cursor) is not { } text || !text.StartsWith(Version, StringComparison.Ordinal))
        {
            return null;
        }

        var id = text[Version.Length..];
        return id.Length == 0 || (id.StartsWith("msg_", StringComparison.Ordinal) && StorageKeys.IsSafeKey(id)) ? id : null;
    }
}
