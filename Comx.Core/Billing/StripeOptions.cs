using Microsoft.Extensions.Options;

namespace Comx.Core.Billing;

/// <summary><c>Comx:Stripe</c> settings: the webhook signing secret(s) and which price gives which plan.</summary>
public sealed class StripeOptions
{
    public const string Section = "Comx:Stripe";

    /// <summary>Stripe endpoint signing secret(s), <c>whsec_…</c>; several comma-separated while rotating.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary><c>price_…=pro,price_…=school</c>: the plan each Stripe price id gives.</summary>
    public string? PricePlans { get; set; }

    public IReadOnlyList<string> WebhookSecrets =>
        WebhookSecret is null ? [] : WebhookSecret.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><see cref="PricePlans"/> as price id → plan; malformed entries are left out (and fail validation at start).</summary>
    public IReadOnlyDictionary<string, string> PricePlanMap => ParsePricePlans(PricePlans, null);

    internal static Dictionary<string, string> ParsePricePlans(string? value, List<string>? errors)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || parts[0].Any(char.IsWhiteSpace) || parts[1].Any(char.IsWhiteSpace))
            {
                errors?.Add($"Comx:Stripe:PricePlans: '{entry}' is not price_id=plan.");
            }
            else if (!map.TryAdd(parts[0], parts[1]) && map[parts[0]] != parts[1])
            {
                errors?.Add($"Comx:Stripe:PricePlans: {parts[0]} is given two plans.");
            }
        }

        return map;
    }
}

/// <summary>Fails start-up when Stripe webhooks could not be verified or prices could not be mapped (fail closed).</summary>
public sealed class StripeOptionsValidator : IValidateOptions<StripeOptions>
{
    public ValidateOptionsResult Validate(string? name, StripeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.WebhookSecrets.Count == 0)
        {
            errors.Add("Comx:Stripe:WebhookSecret is required (the endpoint's signing secret, whsec_…).");
        }
        else if (options.WebhookSecrets.Any(s => !s.StartsWith("whsec_", StringComparison.Ordinal) || s.Length <= "whsec_".Length))
        {
            // Catches the classic mix-up of pasting an API key (sk_…, rk_…) here.
            errors.Add("Comx:Stripe:WebhookSecret: every entry must be an endpoint signing secret starting with whsec_.");
        }

        var planErrors = new List<string>();
        var plans = StripeOptions.ParsePricePlans(options.PricePlans, planErrors);
        errors.AddRange(planErrors);
        if (plans.Count == 0 && planErrors.Count == 0)
        {
            errors.Add("Comx:Stripe:PricePlans is required: price_…=pro,price_…=school.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
