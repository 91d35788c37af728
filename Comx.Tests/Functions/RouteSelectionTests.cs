using System.Globalization;
using System.Text.RegularExpressions;
using Comx.Core.Http;

namespace Comx.Tests.Functions;

/// <summary>
/// Every route reaches its own function, whatever order the host tries the templates in (docs/decisions/009): the host's
/// selection is simulated over the generated metadata (name order, first match wins), and separately every pair of
/// route functions is checked for overlap, so the result does not rest on today's names.
/// </summary>
public sealed class RouteSelectionTests
{
    /// <summary>Parameters that are not our prefixed ids (the organisation names its learners); allowed only without literal siblings.</summary>
    private static readonly HashSet<string> UnprefixedParameters = ["learnerId"];

    private static readonly Regex Parameter = new(@"\{(?<name>[A-Za-z0-9]+)(:regex\((?<pattern>[^)]*)\))?\}", RegexOptions.CultureInvariant);

    /// <summary>A path for the template: each id parameter gets a value with its prefix (the constraint's literal start).</summary>
    public static string SamplePath(string template, Func<string, string?, string>? value = null) =>
        "/" + Routes.Prefix + "/" + Parameter.Replace(template, m => (value ?? SampleValue)(m.Groups["name"].Value, m.Groups["pattern"].Success ? m.Groups["pattern"].Value : null));

    private static string SampleValue(string name, string? pattern) =>
        (pattern is null ? "" : pattern.TrimStart('^')) + "sample" + name.Length.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Adversarial paths for a route: each parameter replaced by every literal another template has at that position, e.g.
    /// <c>org/v1/actions/signing-secret</c> for <c>org/v1/actions/{proposalId}</c>. None of them may reach the route.
    /// </summary>
    private static IEnumerable<string> LiteralsInParameterPlaces(RouteDefinition route, IReadOnlyList<RouteDefinition> all)
    {
        var segments = route.Template.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (!segments[i].StartsWith('{'))
            {
                continue;
            }

            var literals = all.Select(r => r.Template.Split('/'))
                .Where(other => other.Length > i && other.Take(i).SequenceEqual(segments.Take(i), StringComparer.OrdinalIgnoreCase) && !other[i].StartsWith('{'))
                .Select(other => other[i])
                .Distinct(StringComparer.OrdinalIgnoreCase);
            foreach (var literal in literals)
            {
                var copy = (string[])segments.Clone();
                copy[i] = literal;
                yield return SamplePath(string.Join('/', copy));
            }
        }
    }

    [Fact]
    public async Task EveryRoute_ReachesItsOwnFunction_InTheHostsOrder()
    {
        var selection = new HostRouteSelection(await WorkerBuild.GeneratedFunctionsAsync());
        var routes = CoreSurface.Current.Routes;
        var failures = new List<string>();

        foreach (var route in routes)
        {
            var path = SamplePath(route.Template);
            var chosen = await selection.SelectAsync(route.Method, path);
            if (chosen != route.Name)
            {
                failures.Add($"{route.Method} {path} reaches {chosen ?? "the host's 404"}, not {route.Name}.");
            }

            foreach (var adversarial in LiteralsInParameterPlaces(route, routes))
            {
                if (await selection.SelectAsync(route.Method, adversarial) == route.Name)
                {
                    failures.Add($"{route.Method} {adversarial} reaches {route.Name}: a literal is read as {route.Path}'s parameter.");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task NoTwoRouteFunctions_MatchTheSamePathAndMethod_InAnyOrder()
    {
        var functions = (await WorkerBuild.GeneratedFunctionsAsync()).Where(f => f.Trigger == "httpTrigger" && f.Name != RouteNames.Fallback)
            .Select(f => new HostRouteSelection([f])).ToList();
        var routes = CoreSurface.Current.Routes;
        var failures = new List<string>();
        foreach (var route in routes)
        {
            foreach (var path in LiteralsInParameterPlaces(route, routes).Prepend(SamplePath(route.Template)))
            {
                // Each function alone: how many would take this request if it were tried first.
                var takers = new List<string>();
                foreach (var function in functions)
                {
                    if (await function.SelectAsync(route.Method, path) is { } name)
                    {
                        takers.Add(name);
                    }
                }

                if (takers.Count > 1)
                {
                    failures.Add($"{route.Method} {path} matches {string.Join(" and ", takers)}: the host's name order would decide.");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task CatchAll_IsTriedLast_AndTakesWhatNoRouteTakes()
    {
        var functions = await WorkerBuild.GeneratedFunctionsAsync();
        var selection = new HostRouteSelection(functions);

        Assert.Equal(RouteNames.Fallback, functions.Where(f => f.Trigger == "httpTrigger").MaxBy(f => f.Name, StringComparer.OrdinalIgnoreCase)!.Name);
        Assert.Equal(RouteNames.Fallback, functions.Where(f => f.Trigger == "httpTrigger").MaxBy(f => f.Name, StringComparer.InvariantCultureIgnoreCase)!.Name);
        Assert.Equal(RouteNames.Fallback, await selection.SelectAsync("GET", "/api/no/such/route"));
        Assert.Equal(RouteNames.Fallback, await selection.SelectAsync("DELETE", "/api/" + Routes.Me));
        Assert.Equal(RouteNames.Fallback, await selection.SelectAsync("OPTIONS", "/api/" + Routes.ChatSessions));
        Assert.Equal(RouteNames.Fallback, await selection.SelectAsync("HEAD", "/api/" + Routes.Health));
        Assert.Equal(RouteNames.Fallback, await selection.SelectAsync("GET", "/api/org/v1/actions/not-an-action-id"));
    }

    /// <summary>The convention in Routes.cs: every parameter is a prefix-constrained id, or a known exception.</summary>
    [Fact]
    public void EveryIdParameter_IsPrefixConstrained()
    {
        var unconstrained = CoreSurface.Current.Routes
            .SelectMany(r => Parameter.Matches(r.Template).Select(m => (Route: r, Name: m.Groups["name"].Value, Pattern: m.Groups["pattern"])))
            .Where(p => !(p.Pattern.Success && p.Pattern.Value.StartsWith('^')) && !UnprefixedParameters.Contains(p.Name))
            .Select(p => $"{p.Route.Name} ({p.Route.Template}): {{{p.Name}}} has no prefix constraint; use a Routes.Id constant.")
            .ToList();

        Assert.True(unconstrained.Count == 0, string.Join(Environment.NewLine, unconstrained));
    }

    /// <summary>Without the prefix constraints (the templates as they were), the same checks find the collisions.</summary>
    [Fact]
    public async Task WithoutTheConstraints_TheChecksFindCollisions()
    {
        var functions = (await WorkerBuild.GeneratedFunctionsAsync())
            .Where(f => f.Name != RouteNames.Fallback)
            .Select(f => f.Route is null ? f : f with { Route = Regex.Replace(f.Route, @":regex\([^)]*\)", "") })
            .ToList();
        var selection = new HostRouteSelection(functions);

        Assert.Equal(RouteNames.GetActionProposal, await selection.SelectAsync("GET", "/api/" + Routes.ActionSigningSecret));
        Assert.Equal(RouteNames.DeleteWebhook, await selection.SelectAsync("DELETE", "/api/" + Routes.WebhookSamples));
    }

    /// <summary>With the catch-all named "Fallback" (before), it took every route whose function name sorts after it.</summary>
    [Fact]
    public async Task CatchAllNamedToSortFirst_WouldSwallowRoutes()
    {
        var functions = (await WorkerBuild.GeneratedFunctionsAsync()).Select(f => f.Name == RouteNames.Fallback ? f with { Name = "Fallback" } : f).ToList();
        var selection = new HostRouteSelection(functions);

        Assert.Equal("Fallback", await selection.SelectAsync("GET", "/api/" + Routes.Health));
        Assert.Equal("Fallback", await selection.SelectAsync("GET", "/api/" + Routes.Me));
    }
}
