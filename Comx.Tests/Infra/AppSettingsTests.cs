using Comx.Core;

namespace Comx.Tests.Infra;

/// <summary>
/// Code and infrastructure cannot drift: every key the app reads (<see cref="ConfigurationKeys.All"/>) is set by the Bicep
/// app settings, read from the compiled ARM JSON, and every Comx setting Bicep sets is one the app reads.
/// </summary>
public sealed class AppSettingsTests
{
    private const string KeyVaultReference = "@Microsoft.KeyVault(SecretUri=";

    /// <summary>
    /// Keys the app reads that Azure does not set, and why. Anything else missing from the Bicep app settings is drift.
    /// </summary>
    public static string? WhyNotSetInAzure(string key, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(settings);
        if (key == ConfigurationKeys.Storage && settings.ContainsKey(ConfigurationKeys.StorageAccountName))
        {
            return "identity-based storage: AzureWebJobsStorage__accountName (+ __credential, __clientId) instead of a connection string";
        }

        return key.StartsWith("Comx__DevHost__", StringComparison.Ordinal) ? "read by the DevHost only" : null;
    }

    public static IReadOnlyList<string> Drift(IEnumerable<ConfigurationKey> keys, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(settings);
        var known = keys.ToList();
        return
        [
            .. known.Where(k => !settings.ContainsKey(k.Name) && WhyNotSetInAzure(k.Name, settings) is null)
                .Select(k => $"{k.Name} is read by the app but not set by infra/bicep ({k.Meaning})"),
            .. settings.Keys.Where(s => s.StartsWith("Comx__", StringComparison.Ordinal) && known.All(k => k.Name != s))
                .Select(s => $"{s} is set by infra/bicep but is not in Comx.Core.ConfigurationKeys.All"),
            .. known.Where(k => k.Secret && settings.TryGetValue(k.Name, out var value) && !value.Contains(KeyVaultReference, StringComparison.Ordinal))
                .Select(k => $"{k.Name} is a secret but infra/bicep does not set it as a Key Vault reference"),
            .. settings.Keys.Where(s => s.StartsWith("Comx__DevHost__", StringComparison.Ordinal))
                .Select(s => $"{s} is DevHost-only and must not be set in Azure"),
        ];
    }

    [Fact]
    public async Task EveryConfigurationKey_IsSetByBicep_AndEveryComxSettingIsKnown()
    {
        var settings = (await CompiledMain.TemplateAsync()).AppSettings();

        var drift = Drift(ConfigurationKeys.All, settings);

        Assert.True(drift.Count == 0, string.Join(Environment.NewLine, drift));
    }

    [Fact]
    public async Task FunctionsHostHomepage_IsDisabled()
    {
        var settings = await CompiledMain.TemplateAsync();

        Assert.Equal("true", settings.AppSettings().GetValueOrDefault("AzureWebJobsDisableHomepage"));
    }

    [Fact]
    public async Task KeyAddedToTheAppButNotToBicep_IsReportedAsDrift()
    {
        var settings = (await CompiledMain.TemplateAsync()).AppSettings();
        var added = new ConfigurationKey("Comx__Mail__SmtpHost", false, false, "a key the app has just started to read");

        var drift = Drift([.. ConfigurationKeys.All, added], settings);

        Assert.Contains(drift, d => d.StartsWith("Comx__Mail__SmtpHost is read by the app", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecretSetAsAPlainValue_OrUnknownSetting_IsReportedAsDrift()
    {
        var settings = (await CompiledMain.TemplateAsync()).AppSettings().ToDictionary();
        settings[ConfigurationKeys.StripeWebhookSecret] = "[parameters('stripeWebhookSecret')]";
        settings["Comx__Stripe__WebhookSecrets"] = "typo";
        settings[ConfigurationKeys.DevHostSeedDemo] = "true";

        var drift = Drift(ConfigurationKeys.All, settings);

        Assert.Contains(drift, d => d.StartsWith($"{ConfigurationKeys.StripeWebhookSecret} is a secret", StringComparison.Ordinal));
        Assert.Contains(drift, d => d.StartsWith("Comx__Stripe__WebhookSecrets is set by infra/bicep", StringComparison.Ordinal));
        Assert.Contains(drift, d => d.StartsWith($"{ConfigurationKeys.DevHostSeedDemo} is DevHost-only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Storage_IsIdentityBased_WithTheUserAssignedIdentity()
    {
        var settings = (await CompiledMain.TemplateAsync()).AppSettings();

        Assert.DoesNotContain(ConfigurationKeys.Storage, settings.Keys);
        Assert.Contains(ConfigurationKeys.StorageAccountName, settings.Keys);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Contains("clientId", settings["AzureWebJobsStorage__clientId"], StringComparison.Ordinal);
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", settings.Keys);
        Assert.Equal("false", settings[ConfigurationKeys.NetworkAllowPrivateTargets]);
    }

    [Fact]
    public async Task SettingsFlexConsumptionRejects_AreNotSet()
    {
        var settings = (await CompiledMain.TemplateAsync()).AppSettings();

        Assert.Empty(settings.Keys.Intersect(
            ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
             "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD"]));
    }
}
