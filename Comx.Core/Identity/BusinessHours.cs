using System.Globalization;
using Comx.Core.Http;

namespace Comx.Core.Identity;

/// <summary>
/// When staff are at work: an IANA time zone and, per weekday (<c>mon</c>…<c>sun</c>), opening ranges as
/// <c>["HH:mm","HH:mm"]</c> in that zone's wall-clock time (<c>24:00</c> ends a range at midnight). A day left out is closed.
/// </summary>
public sealed record BusinessHours(string Timezone, IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>> Days)
{
    public const int MaxRangesPerDay = 6;

    private static readonly string[] DayKeys = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    public IEnumerable<FieldError> Validate(string field = "business_hours")
    {
        if (string.IsNullOrWhiteSpace(Timezone) || Timezone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(Timezone, out _)
            || (!Timezone.Contains('/', StringComparison.Ordinal) && Timezone != "UTC"))
        {
            yield return new FieldError($"{field}.timezone", "timezone is an IANA time zone name, such as Europe/London.");
        }

        foreach (var (day, ranges) in Days)
        {
            if (!DayKeys.Contains(day, StringComparer.Ordinal))
            {
                yield return new FieldError($"{field}.days", $"'{day}' is not a day: use mon, tue, wed, thu, fri, sat or sun.");
                continue;
            }

            if (ranges.Count > MaxRangesPerDay)
            {
                yield return new FieldError($"{field}.days.{day}", $"At most {MaxRangesPerDay} ranges a day.");
                continue;
            }

            TimeSpan? previousEnd = null;
            for (var i = 0; i < ranges.Count; i++)
            {
                var path = $"{field}.days.{day}[{i}]";
                if (ranges[i].Count != 2 || ParseTime(ranges[i][0]) is not { } start || ParseTime(ranges[i][1]) is not { } end)
                {
                    yield return new FieldError(path, "A range is [\"HH:mm\", \"HH:mm\"] in 24-hour time, such as [\"08:30\", \"16:00\"].");
                    continue;
                }

                if (end <= start)
                {
                    yield return new FieldError(path, "A range ends after it starts.");
                }
                else if (previousEnd is { } before && start < before)
                {
                    yield return new FieldError(path, "Ranges are in order and do not overlap.");
                }

                previousEnd = end;
            }
        }
    }

    /// <summary>Whether staff are at work at <paramref name="now"/>, and if not, when they are next (null: no hours at all).</summary>
    public StaffAvailability At(DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Timezone);
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        for (var offset = 0; offset <= 7; offset++)
        {
            var date = local.Date.AddDays(offset);
            var key = DayKeys[(int)date.DayOfWeek];
            if (!Days.TryGetValue(key, out var ranges))
            {
                continue;
            }

            foreach (var range in ranges)
            {
                var start = date + ParseTime(range[0])!.Value;
                var end = date + ParseTime(range[1])!.Value;
                if (start <= local && local < end)
                {
                    return new StaffAvailability(true, null, null);
                }

                if (start > local)
                {
                    return new StaffAvailability(false, ToInstant(start, zone), Describe(local, start));
                }
            }
        }

        return new StaffAvailability(false, null, null);
    }

    /// <summary>"HH:mm" (00:00–24:00) as a time of day, or null.</summary>
    public static TimeSpan? ParseTime(string value)
    {
        if (value is "24:00")
        {
            return TimeSpan.FromHours(24);
        }

        return value.Length == 5 && TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time.ToTimeSpan()
            : null;
    }

    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        // A start that falls in the spring-forward gap does not exist on the wall clock; staff are back once it does.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static string Describe(DateTime localNow, DateTime opening)
    {
        var time = opening.ToString("HH:mm", CultureInfo.InvariantCulture);
        var days = (opening.Date - localNow.Date).Days;
        return days switch
        {
            0 => $"today at {time}",
            1 => $"tomorrow at {time}",
            _ => $"on {opening.ToString("dddd d MMMM", CultureInfo.InvariantCulture)} at {time}",
        };
    }
}

/// <summary>Staff availability at one instant: <c>NextOpeningText</c> is the next opening in the organisation's own time zone.</summary>
public sealed record StaffAvailability(bool Available, DateTimeOffset? NextOpening, string? NextOpeningText);
