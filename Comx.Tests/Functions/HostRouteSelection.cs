using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Functions;

/// <summary>
/// Picks the HTTP function for a request the way the Functions host does (reference/functions-worker.md, azure-functions-host
/// WebScriptHostHttpRoutesManager): one ASP.NET Core <see cref="Route"/> per function, template = prefix + route, an
/// <see cref="HttpMethodRouteConstraint"/> for its methods, inline constraints resolved by ASP.NET Core's default
/// resolver; the routes are tried in the order of the functions' names, case-insensitively, and the first match wins.
/// There is no "most specific template" rule.
/// </summary>
public sealed class HostRouteSelection
{
    private const string FunctionKey = "comx.function";

    private readonly RouteCollection _routes = new();
    private readonly IServiceProvider _services;

    public HostRouteSelection(IEnumerable<DeclaredFunction> functions, IComparer<string>? order = null)
    {
        ArgumentNullException.ThrowIfNull(functions);
        _services = new ServiceCollection().AddLogging().AddRouting().BuildServiceProvider();
        var resolver = _services.GetRequiredService<IInlineConstraintResolver>();
        foreach (var function in functions.Where(f => f.Trigger == "httpTrigger").OrderBy(f => f.Name, order ?? StringComparer.OrdinalIgnoreCase))
        {
            var constraints = new Dictionary<string, object> { ["httpMethod"] = new HttpMethodRouteConstraint([.. function.Methods]) };
            _routes.Add(new Route(new Target(function.Name), function.Name, Routes.Prefix + "/" + (function.Route ?? function.Name),
                defaults: null, constraints, dataTokens: null, resolver));
        }
    }

    /// <summary>The name of the function the host would invoke, or null for the host's own 404.</summary>
    public async Task<string?> SelectAsync(string method, string path)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = method;
        context.Request.Path = path;
        await _routes.RouteAsync(new RouteContext(context));
        return context.Items.TryGetValue(FunctionKey, out var name) ? (string?)name : null;
    }

    private sealed class Target(string name) : IRouter
    {
        public VirtualPathData? GetVirtualPath(VirtualPathContext context) => null;

        public Task RouteAsync(RouteContext context)
        {
            context.HttpContext.Items[FunctionKey] = name;
            context.Handler = _ => Task.CompletedTask;
            return Task.CompletedTask;
        }
    }
}
