using System.Globalization;
using Microsoft.Extensions.Options;

namespace Comx.Core.Deliveries;

/// <summary>
/// <c>Comx:Deliveries</c> settings: the retry schedule (delays between attempts, Svix's cadence by default), jitter,
/// the request timeout and when a failing subscription is paused.
/// </summary>
public sealed class DeliveryOptions
{
    public const string Section = "Comx:Deliveries";

    public const string DefaultRetrySchedule = "5s, 5m, 30m, 2h, 5h, 10h, 10h";

    /// <summary>
    /// Comma-separated delays before each retry, measured from the previous failure (<c>ms</c>, <c>s</c>, <c>m</c>,
    /// <c>h</c>). One attempt plus one per entry: the default makes eight attempts over about 27.5 hours.
    /// </summary>
    public string RetrySchedule { get; set; } = DefaultRetrySchedule;

    /// <summary>Each delay is spread by up to ± this fraction (0–0.5), so failing receivers are not hit in lockstep.</summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>A delivery succeeds only with a 2xx response within this time.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A subscription is paused once at least this many attempts in a row failed…</summary>
    public int PauseAfterFailures { get; set; } = 5;

    /// <summary>…and every attempt has failed for at least this long (410 Gone pauses at once).</summary>
    public TimeSpan PauseAfterFailingFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The parsed <see cref="RetrySchedule"/>; throws on a malformed one (the validator reports it at start).</summary>
    public IReadOnlyList<TimeSpan> RetryDelays() => ParseSchedule(RetrySchedule) ?? throw new InvalidOperationException($"{Section}:RetrySchedule is malformed.");

    /// <summary>Null when malformed.</summary>
    public static IReadOnlyList<TimeSpan>? ParseSchedule(string? schedule)
    {
        if (schedule is null)
        {
            return null;
        }

        var delays = new List<TimeSpan>();
        foreach (var raw in schedule.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var unit = raw.EndsWith("ms", StringComparison.Ordinal) ? "ms" : raw[^1..];
            var number = raw[..^unit.Length];
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                return null;
            }

            delays.Add(unit switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                _ => TimeSpan.MinValue,
            });
            if (delays[^1] == TimeSpan.MinValue || delays[^1] > TimeSpan.FromDays(6))
            {
                return null;
            }
        }

        return delays;
    }
}

public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (DeliveryOptions.ParseSchedule(options.RetrySchedule) is null)
        {
            errors.Add($"{DeliveryOptions.Section}:RetrySchedule must be comma-separated delays such as \"{DeliveryOptions.DefaultRetrySchedule}\" (each at most 6 days, the queue's limit).");
        }

        if (options.Jitter is < 0 or > 0.5 || double.IsNaN(options.Jitter))
        {
            errors.Add($"{DeliveryOptions.Section}:Jitter is a fraction from 0 to 0.5.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{DeliveryOptions.Section}:RequestTimeout is more than 0 and at most one minute.");
        }

        if (options.PauseAfterFailures < 1)
        {
            errors.Add($"{DeliveryOptions.Section}:PauseAfterFailures is at least 1.");
        }

        if (options.PauseAfterFailingFor < TimeSpan.Zero)
        {
            errors.Add($"{DeliveryOptions.Section}:PauseAfterFailingFor is not negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
