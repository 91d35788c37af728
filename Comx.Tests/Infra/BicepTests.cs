using System.Text.Json.Nodes;

namespace Comx.Tests.Infra;

/// <summary>The Bicep files build and lint with no diagnostic at all, under bicepconfig.json's raised rule levels.</summary>
public sealed class BicepTests
{
    /// <summary>Values for the parameters file's required environment variables (README.md ("Deploy") sets the real ones).</summary>
    private static readonly Dictionary<string, string> DeploymentEnvironment = new()
    {
        ["COMX_ENVIRONMENT"] = "test",
        ["COMX_CLERK_ISSUER"] = "https://example.clerk.accounts.dev",
        ["COMX_CLERK_JWKS_URL"] = "https://example.clerk.accounts.dev/.well-known/jwks.json",
        ["COMX_STRIPE_PRICE_PLANS"] = "price_pro=pro,price_school=school",
    };

    private static string Main => Path.Combine(BicepCli.InfraDirectory, "main.bicep");

    private static string Parameters => Path.Combine(BicepCli.InfraDirectory, "main.bicepparam");

    [Fact]
    public async Task MainTemplate_BuildsWithoutDiagnostics()
    {
        var run = await CompiledMain.BuildAsync();
        Assert.True(run.Problems().Count == 0, string.Join(Environment.NewLine, run.Problems()));
    }

    [Fact]
    public async Task MainTemplate_LintsWithoutDiagnostics()
    {
        var run = await BicepCli.RunAsync(["lint", Main]);
        Assert.True(run.Problems().Count == 0, string.Join(Environment.NewLine, run.Problems()));
    }

    [Fact]
    public async Task ParametersFile_BuildsAndLintsWithoutDiagnostics()
    {
        var build = await BicepCli.RunAsync(["build-params", Parameters, "--stdout"], DeploymentEnvironment);
        var lint = await BicepCli.RunAsync(["lint", Parameters], DeploymentEnvironment);

        Assert.True(build.Problems().Count == 0, string.Join(Environment.NewLine, build.Problems()));
        Assert.True(lint.Problems().Count == 0, string.Join(Environment.NewLine, lint.Problems()));
        var values = JsonNode.Parse(JsonNode.Parse(build.Output)!["parametersJson"]!.GetValue<string>())!["parameters"]!;
        Assert.Equal("https://example.clerk.accounts.dev", (string?)values["clerkIssuer"]?["value"]);
    }

    [Fact]
    public async Task ParametersFile_WithoutRequiredValues_FailsToBuild()
    {
        var environment = DeploymentEnvironment.Where(e => e.Key != "COMX_STRIPE_PRICE_PLANS").ToDictionary();

        var run = await BicepCli.RunAsync(["build-params", Parameters, "--stdout"], environment);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(run.Diagnostics, d => d.Level == "Error" && d.Message.Contains("COMX_STRIPE_PRICE_PLANS", StringComparison.Ordinal));
    }

    [Fact]
    public void BicepConfig_RaisesEveryLinterRuleToAtLeastWarning()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "bicepconfig.json")))!;
        var core = config["analyzers"]!["core"]!;
        var rules = core["rules"]!.AsObject();

        Assert.True((bool?)core["enabled"] ?? true);
        Assert.Empty(rules.Where(r => (string?)r.Value?["level"] is not ("warning" or "error")).Select(r => r.Key));
        // Rules that are off (or info) by default: they count only because the config names them.
        Assert.Superset(
            new HashSet<string>(["use-recent-api-versions", "no-hardcoded-location", "no-loc-expr-outside-params", "explicit-values-for-loc-params",
                "use-resource-id-functions", "use-user-defined-types", "what-if-short-circuiting", "stacks-extensibility-compat"]),
            new HashSet<string>(rules.Select(r => r.Key)));
    }

    /// <summary>
    /// The check used above must be able to fail: a temporary copy of infra/bicep is broken in one way and the same
    /// <see cref="BicepRun.Problems"/> check reports it. Warnings leave the exit code at 0, which is why diagnostics are parsed.
    /// </summary>
    [Theory]
    [InlineData("lint", "param location string = resourceGroup().location", "param location string = resourceGroup().location\n\nparam unusedSetting string = 'x'", "Warning", "no-unused-params", 0)]
    [InlineData("lint", "name: names.identity\n  location: location", "name: names.identity\n  location: 'westeurope'", "Warning", "no-hardcoded-location", 0)]
    [InlineData("build", "AzureWebJobsStorage__credential: 'managedidentity'", "AzureWebJobsStorage__credential: managedIdentity", "Error", "BCP057", 1)]
    public async Task BrokenCopy_FailsTheSameCheck(string command, string original, string replacement, string level, string code, int exitCode)
    {
        var copy = Path.Combine(Path.GetTempPath(), "comx-bicep-" + Guid.NewGuid().ToString("N"));
        try
        {
            CopyDirectory(BicepCli.InfraDirectory, copy);
            var main = Path.Combine(copy, "main.bicep");
            var text = File.ReadAllText(main);
            Assert.Contains(original, text, StringComparison.Ordinal);
            File.WriteAllText(main, text.Replace(original, replacement, StringComparison.Ordinal));

            var run = await BicepCli.RunAsync([command, main]);

            Assert.Equal(exitCode, run.ExitCode);
            Assert.Contains(run.Diagnostics, d => d.Level == level && d.Code == code);
            Assert.NotEmpty(run.Problems());
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
