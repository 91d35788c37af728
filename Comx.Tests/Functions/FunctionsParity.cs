using Comx.Core;
using Comx.Core.Http;
using Comx.Core.Jobs;

namespace Comx.Tests.Functions;

/// <summary>What Core says must be served: its routes, queue jobs and timers.</summary>
public sealed record CoreSurface(IReadOnlyList<RouteDefinition> Routes, IReadOnlyList<QueueJobDefinition> Queues, IReadOnlyList<TimerDefinition> Timers)
{
    public static CoreSurface Current => new([.. ComxRouteTable.All()], ComxJobs.Queues, ComxJobs.Timers);
}

/// <summary>Compares Core's surface with the functions the worker's build declares, both ways.</summary>
public static class FunctionsParity
{
    /// <summary>Every method the catch-all must take: anything no route function takes reaches it (404, 405, HEAD, preflight).</summary>
    public static readonly IReadOnlyList<string> CatchAllMethods = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

    /// <summary>The connection setting a queue trigger must use: the app's storage (a connection string or identity-based).</summary>
    public const string QueueConnection = "AzureWebJobsStorage";

    public static IReadOnlyList<string> Problems(CoreSurface core, IReadOnlyList<DeclaredFunction> functions)
    {
        ArgumentNullException.ThrowIfNull(core);
        ArgumentNullException.ThrowIfNull(functions);
        var problems = new List<string>();
        var byName = new Dictionary<string, DeclaredFunction>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in functions)
        {
            if (!byName.TryAdd(function.Name, function))
            {
                problems.Add($"Two functions are named {function.Name} (the host compares names case-insensitively).");
            }
        }

        foreach (var route in core.Routes)
        {
            if (!byName.Remove(route.Name, out var function))
            {
                problems.Add($"Route {route.Name} ({route.Method} {route.Template}) has no function.");
                continue;
            }

            if (function.Trigger != "httpTrigger" || function.Route != route.Template || !function.Methods.SequenceEqual([route.Method]))
            {
                problems.Add($"Function {function.Name} is {function.Trigger} {string.Join(",", function.Methods)} {function.Route}; Core says {route.Method} {route.Template}.");
            }

            // Core authenticates every route itself (public, org, webhook signatures); a host key would lock out widgets and webhooks.
            if (function.AuthLevel != "Anonymous")
            {
                problems.Add($"Function {function.Name} has auth level {function.AuthLevel}; every route must be Anonymous at the host.");
            }

            if (function.CoreCallName != route.Name || function.CoreMethod != nameof(RequestPipeline.HandleAsync))
            {
                problems.Add($"Function {function.Name} calls {function.CoreMethod}({function.CoreCallName}); it must call HandleAsync({route.Name}).");
            }
        }

        if (!byName.Remove(RouteNames.Fallback, out var fallback))
        {
            problems.Add("There is no catch-all function (unknown routes would get the host's 404, not the envelope).");
        }
        else if (fallback.Route != Routes.Fallback || fallback.CoreMethod != nameof(RequestPipeline.DispatchAsync) || fallback.AuthLevel != "Anonymous"
            || !fallback.Methods.Order(StringComparer.Ordinal).SequenceEqual(CatchAllMethods))
        {
            problems.Add($"The catch-all function must take {string.Join(",", CatchAllMethods)} on {Routes.Fallback}, anonymously, and call DispatchAsync.");
        }

        foreach (var job in core.Queues)
        {
            if (!byName.Remove(job.Name, out var function))
            {
                problems.Add($"Queue job {job.Name} ({job.QueueName}) has no function.");
            }
            else if (function.Trigger != "queueTrigger" || function.Queue != job.QueueName || (function.Connection ?? QueueConnection) != QueueConnection
                || function.CoreCallName != job.Name || function.CoreMethod != nameof(ComxJobs.RunQueueJobAsync))
            {
                problems.Add($"Function {function.Name} reads queue {function.Queue} on {function.Connection ?? "(default)"} and runs {function.CoreMethod}({function.CoreCallName}); Core says {job.QueueName} / {job.Name}.");
            }
        }

        foreach (var timer in core.Timers)
        {
            if (!byName.Remove(timer.Name, out var function))
            {
                problems.Add($"Timer {timer.Name} has no function.");
            }
            else if (function.Trigger != "timerTrigger" || function.Schedule != timer.Schedule || function.CoreCallName != timer.Name
                || function.CoreMethod != nameof(ComxJobs.RunTimerAsync))
            {
                problems.Add($"Function {function.Name} runs on {function.Schedule} and calls {function.CoreMethod}({function.CoreCallName}); Core says {timer.Schedule} / {timer.Name}.");
            }
        }

        problems.AddRange(byName.Values.Select(f => $"Function {f.Name} has no route, queue job or timer in Core."));
        return problems;
    }
}
