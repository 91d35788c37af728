using System.Text.Json;
using Comx.Core;
using Comx.Core.Http;
using Comx.Core.Operations;

namespace Comx.Tests.Functions;

/// <summary>
/// Core's own matcher (the DevHost, and the catch-all's dispatch) accepts exactly what the host accepts, so 404 and 405
/// answers and route values agree on both hosts; the OpenAPI document shows the templates without their constraints.
/// </summary>
public sealed class CoreRouteTemplateTests
{
    private static readonly RouteTable Table = new(ComxRouteTable.All());

    [Fact]
    public async Task CoresMatcher_AgreesWithTheHost_OnEveryRoutesPaths()
    {
        var selection = new HostRouteSelection(await WorkerBuild.GeneratedFunctionsAsync());
        var failures = new List<string>();
        foreach (var route in Table.Routes)
        {
            var paths = new[]
            {
                RouteSelectionTests.SamplePath(route.Template),
                RouteSelectionTests.SamplePath(route.Template, (name, _) => "unprefixed-" + name),
                RouteSelectionTests.SamplePath(route.Template, (name, pattern) => (pattern?.TrimStart('^').ToUpperInvariant() ?? "") + "MixedCase"),
            };
            foreach (var path in paths.Distinct())
            {
                var host = await selection.SelectAsync(route.Method, path);
                var core = Table.Match(route.Method, path) is RouteMatch.Found found ? found.Route.Name : RouteNames.Fallback;
                if (host != core)
                {
                    failures.Add($"{route.Method} {path}: the host picks {host}, Core's matcher {core}.");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void PrefixConstraint_KeepsLiteralsOutOfIdParameters_InCoresMatcher()
    {
        var found = Assert.IsType<RouteMatch.Found>(Table.Match("GET", "/api/" + Routes.ActionSigningSecret));
        Assert.Equal(RouteNames.GetActionSigningSecret, found.Route.Name);

        var proposal = Assert.IsType<RouteMatch.Found>(Table.Match("GET", "/api/org/v1/actions/act_abc"));
        Assert.Equal("act_abc", proposal.Values["proposalId"]);

        var wrong = Assert.IsType<RouteMatch.WrongMethod>(Table.Match("DELETE", "/api/" + Routes.WebhookSamples));
        Assert.Equal(["GET"], wrong.Allowed);
        Assert.IsType<RouteMatch.Unknown>(Table.Match("GET", "/api/org/v1/actions/not-an-action-id"));
    }

    [Theory]
    [InlineData("org/v1/things/{id:int}")]
    [InlineData("org/v1/things/{id?}")]
    [InlineData("org/v1/things/{*rest}")]
    [InlineData("org/v1/things/x{id}")]
    [InlineData("org/v1/things/{id:regex(^a{{2}})}")]
    public void ConstraintCoreCannotEnforce_IsRefusedWhenTheTableIsBuilt(string template)
    {
        Assert.Throws<FormatException>(() => new RouteDefinition("Things", "GET", template, RouteAuth.Org, (_, _) => Task.FromResult(ApiResult.NoContent())));
    }

    [Fact]
    public void OpenApiPaths_HaveNoConstraintText_AndIdsCarryTheirPattern()
    {
        using var document = JsonDocument.Parse(new OpenApiDocument(Table).Json);
        var paths = document.RootElement.GetProperty("paths");

        Assert.DoesNotContain(paths.EnumerateObject(), p => p.Name.Contains(':', StringComparison.Ordinal) || p.Name.Contains("regex", StringComparison.Ordinal));
        var parameter = paths.GetProperty("/api/org/v1/actions/{proposalId}").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "proposalId");
        Assert.Equal("^act_", parameter.GetProperty("schema").GetProperty("pattern").GetString());
    }
}
