using System.Globalization;
using Comx.Core.Http;
using Comx.Core.Storage;
using RequestContext = Comx.Core.Http.RequestContext;

namespace Comx.Core.Insights;

/// <summary>A source by how often answers cited it in the range.</summary>
public sealed record TopSource(string SourceId, string? Title, long Citations);

/// <summary>What visitors asked and whether it helped, for a range of days (UTC, inclusive).</summary>
public sealed record InsightsSummary(DateOnly From, DateOnly To, long Messages, long Answered, long Fallbacks, long Handoffs, long Escalations, long Helpful, long Unhelpful,
    IReadOnlyList<TopSource> TopSources);

/// <summary><c>?from=&amp;to=</c>: UTC dates, inclusive; the last 30 days by default; at most <see cref="MaxDays"/> days.</summary>
public sealed record InsightsRange(DateOnly From, DateOnly To)
{
    public const int DefaultDays = 30;
    public const int MaxDays = 366;

    public static ApiResultOr<InsightsRange> Read(RequestContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var rawTo = Parse(context.Query("to"), "to");
        if (rawTo.Error is { } toError)
        {
            return toError;
        }

        var rawFrom = Parse(context.Query("from"), "from");
        if (rawFrom.Error is { } fromError)
        {
            return fromError;
        }

        var to = rawTo.Value ?? today;
        var from = rawFrom.Value ?? to.AddDays(1 - DefaultDays);
        if (from > to)
        {
            return ApiError.Validation("from", "from must not be after to.");
        }

        if (to.DayNumber - from.DayNumber + 1 > MaxDays)
        {
            return ApiError.Validation("from", $"The range is at most {MaxDays} days.");
        }

        return new InsightsRange(from, to);
    }

    private static ApiResultOr<DateOnly?> Parse(string? raw, string field)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return (DateOnly?)null;
        }

        if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return (DateOnly?)date;
        }

        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year is > 2000 and < 3000
            ? (DateOnly?)DateOnly.FromDateTime(time.UtcDateTime)
            : ApiError.Validation(field, $"{field} is a date (yyyy-MM-dd, UTC).");
    }
}

/// <summary>What the insights handlers need, given to them explicitly.</summary>
public sealed record InsightsServices(InsightsStore Store, TimeProvider Time);

/// <summary>Insights: counters kept by <see cref="InsightsConsumer"/> as events happen, read with range queries.</summary>
internal static class InsightsEndpoints
{
    /// <summary>Most recent unanswered questions grouped per request: grouping 5,000 takes well under the 2 s target.</summary>
    public const int MaxQuestions = 5000;
    public const int TopSources = 10;

    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.InsightsSummary, "GET", Http.Routes.InsightsSummary, RouteAuth.Org, EndpointServices.With<InsightsServices>(SummaryAsync))
        {
            ResponseType = typeof(InsightsSummary), QueryParameters = ["from", "to"],
            Summary = "Messages, answered, fallbacks, handoffs, escalations, helpful and unhelpful votes and the most cited sources for from..to (UTC dates, inclusive; default the last 30 days; at most 366 days).",
        },
        new(RouteNames.InsightsUnanswered, "GET", Http.Routes.InsightsUnanswered, RouteAuth.Org, EndpointServices.With<InsightsServices>(UnansweredAsync))
        {
            ResponseType = typeof(ListResponse<QuestionGroup>), Paged = true, QueryParameters = ["from", "to"],
            Summary = "Questions that fell back or were marked unhelpful in from..to, grouped by meaning, biggest groups first (the newest 5,000 questions).",
        },
    ];

    private static async Task<ApiResult> SummaryAsync(InsightsServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var range = InsightsRange.Read(context, services.Time.GetUtcNow());
        if (range.Error is { } error)
        {
            return error;
        }

        var (from, to) = range.Value!;
        return ApiResult.Ok(await services.Store.SummaryAsync(context.Org.OrgId, from, to, TopSources, cancellationToken));
    }

    private static async Task<ApiResult> UnansweredAsync(InsightsServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var range = InsightsRange.Read(context, services.Time.GetUtcNow());
        if (range.Error is { } error)
        {
            return error;
        }

        var page = PageRequest.From(context);
        if (page.Error is { } pageError)
        {
            return pageError;
        }

        // Groups are computed per request, so the cursor is an offset into them ("g:N").
        var offset = 0;
        if (page.Value!.ContinuationToken is { } token
            && (!token.StartsWith("g:", StringComparison.Ordinal) || !int.TryParse(token.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
        {
            return ApiError.Validation("cursor", "cursor is not one this API returned.");
        }

        var (from, to) = range.Value!;
        var rows = await services.Store.UnansweredAsync(context.Org.OrgId, from, to, MaxQuestions, cancellationToken);
        var groups = QuestionGrouping.Group(rows);
        var data = groups.Skip(offset).Take(page.Value.Limit).ToList();
        var next = offset + data.Count < groups.Count ? TablePaging.EncodeCursor($"g:{offset + data.Count}") : null;
        return ApiResult.Ok(new ListResponse<QuestionGroup>(data, next));
    }
}
