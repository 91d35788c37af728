using System.Text;
using Azure.Data.Tables;
using Comx.Core.Http;

namespace Comx.Core.Storage;

/// <summary>One page of a list and the opaque cursor for the next (null at the end).</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Data, string? NextCursor);

/// <summary>The wire shape of every list: <c>{"data":[...],"next_cursor":...}</c>.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Data, string? NextCursor);

/// <summary><c>?limit=</c> (1–100, default 20) and <c>?cursor=</c>, validated once.</summary>
public sealed record PageRequest(int Limit, string? ContinuationToken)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static ApiResultOr<PageRequest> From(RequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limit = DefaultLimit;
        if (context.Query("limit") is { } rawLimit)
        {
            if (!int.TryParse(rawLimit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit)
                || limit is < 1 or > MaxLimit)
            {
                return ApiError.Validation("limit", "limit must be an integer from 1 to 100.");
            }
        }

        string? token = null;
        if (context.Query("cursor") is { Length: > 0 } cursor)
        {
            token = TablePaging.DecodeCursor(cursor);
            if (token is null)
            {
                return ApiError.Validation("cursor", "cursor is not one this API returned.");
            }
        }

        return new PageRequest(limit, token);
    }
}

public static class TablePaging
{
    /// <summary>
    /// One page of a query, continuing from a cursor. Table Storage may return a short page with a continuation
    /// token; callers simply follow <c>next_cursor</c>. Because keys only grow in one direction, a cursor stays stable
    /// while new rows are inserted ahead of it.
    /// </summary>
    public static async Task<ListPage<T>> QueryPageAsync<T>(this TableClient table, string filter, PageRequest page,
        IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(page);
        var pages = table.QueryAsync<T>(filter, page.Limit, select, cancellationToken).AsPages(page.ContinuationToken, page.Limit);
        await foreach (var result in pages)
        {
            return new ListPage<T>(result.Values, EncodeCursor(result.ContinuationToken));
        }

        return new ListPage<T>([], null);
    }

    public static string? EncodeCursor(string? continuationToken) =>
        continuationToken is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes("v1:" + continuationToken))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? DecodeCursor(string cursor)
    {
        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, written);
        return text.StartsWith("v1:", StringComparison.Ordinal) && text.Length > 3 ? text[3..] : null;
    }
}
