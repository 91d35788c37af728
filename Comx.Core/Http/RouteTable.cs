namespace Comx.Core.Http;

/// <summary>The outcome of matching a request path and method against the route table.</summary>
public abstract record RouteMatch
{
    public sealed record Found(RouteDefinition Route, IReadOnlyDictionary<string, string> Values) : RouteMatch;

    public sealed record WrongMethod(IReadOnlyList<string> Allowed, RouteDefinition AnyRoute) : RouteMatch;

    public sealed record Unknown : RouteMatch;
}

/// <summary>Every route the API serves. Built once from Core's declarations; the parity test holds Comx.Functions to it.</summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, RouteDefinition> _byName;

    public RouteTable(IEnumerable<RouteDefinition> routes)
    {
        Routes = [.. routes];
        _byName = Routes.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<RouteDefinition> Routes { get; }

    public RouteDefinition Get(string name) =>
        _byName.TryGetValue(name, out var route) ? route : throw new KeyNotFoundException($"No route named '{name}'.");

    /// <summary>Route values for a request already known to be on <paramref name="route"/> (the Functions host matched it).</summary>
    public static IReadOnlyDictionary<string, string> ValuesFor(RouteDefinition route, string path) =>
        route.ParsedTemplate.TryMatch(Segments(path), out var values) ? values : new Dictionary<string, string>();

    public RouteMatch Match(string method, string path)
    {
        var segments = Segments(path);
        if (segments.Length == 0)
        {
            return new RouteMatch.Unknown();
        }

        RouteDefinition? best = null;
        Dictionary<string, string>? bestValues = null;
        List<string>? allowed = null;
        RouteDefinition? anyOnPath = null;
        foreach (var route in Routes)
        {
            if (!route.ParsedTemplate.TryMatch(segments, out var values))
            {
                continue;
            }

            anyOnPath ??= route;
            (allowed ??= []).Add(route.Method);
            var methodMatches = string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase)
                || (HttpMethodIsHead(method) && route.Method == "GET");
            if (methodMatches && (best is null || route.ParsedTemplate.CompareSpecificity(best.ParsedTemplate) > 0))
            {
                best = route;
                bestValues = values;
            }
        }

        if (best is not null)
        {
            return new RouteMatch.Found(best, bestValues!);
        }

        return anyOnPath is null
            ? new RouteMatch.Unknown()
            : new RouteMatch.WrongMethod([.. allowed!.Distinct().Order(StringComparer.Ordinal)], anyOnPath);
    }

    private static bool HttpMethodIsHead(string method) => string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase);

    /// <summary>Splits <c>/api/x/y</c> into <c>[x, y]</c>; a path outside the prefix has no segments.</summary>
    private static string[] Segments(string path)
    {
        var trimmed = path.Trim('/');
        if (!trimmed.StartsWith(Http.Routes.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var rest = trimmed[Http.Routes.Prefix.Length..];
        if (rest.Length == 0 || rest[0] != '/')
        {
            return [];
        }

        return rest[1..].Split('/');
    }
}
