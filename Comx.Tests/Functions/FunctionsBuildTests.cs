using System.Text.Json;
using Comx.Core;
using Comx.Core.Http;
using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Functions;

/// <summary>Comx.Functions as really built and published: its generated metadata, its output files, its service graph.</summary>
public sealed class FunctionsBuildTests
{
    private static string Key(DeclaredFunction f) =>
        $"{f.Name}|{f.EntryPoint}|{f.Trigger}|{string.Join(",", f.Methods)}|{f.Route}|{f.AuthLevel}|{f.Queue}|{f.Connection}|{f.Schedule}";

    [Fact]
    public async Task GeneratedMetadata_MatchesCoreRoutesQueuesAndTimers()
    {
        var functions = await WorkerBuild.GeneratedFunctionsAsync();

        var problems = FunctionsParity.Problems(CoreSurface.Current, functions);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal(CoreSurface.Current.Routes.Count + CoreSurface.Current.Queues.Count + CoreSurface.Current.Timers.Count + 1, functions.Count);
    }

    [Fact]
    public async Task FunctionsMetadataFile_ListsTheSameFunctionsAsTheGeneratedProvider()
    {
        var generated = (await WorkerBuild.GeneratedFunctionsAsync()).Select(Key).Order(StringComparer.Ordinal);

        var file = WorkerBuild.FunctionsMetadataFile(WorkerBuild.OutputDirectory).Select(Key).Order(StringComparer.Ordinal);

        Assert.Equal(generated, file);
    }

    [Fact]
    public async Task RouteAddedToCoreWithoutFunction_FailsParity()
    {
        var core = CoreSurface.Current;
        var extra = new RouteDefinition("ListGadgets", "GET", "org/v1/gadgets", RouteAuth.Org, (_, _) => Task.FromResult(ApiResult.NoContent()));

        var problems = FunctionsParity.Problems(core with { Routes = [.. core.Routes, extra] }, await WorkerBuild.GeneratedFunctionsAsync());

        Assert.Contains(problems, p => p.Contains("ListGadgets", StringComparison.Ordinal) && p.Contains("has no function", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FunctionWithoutCoreRoute_FailsParity()
    {
        var core = CoreSurface.Current;

        var problems = FunctionsParity.Problems(core with { Routes = [.. core.Routes.Where(r => r.Name != RouteNames.Health)] }, await WorkerBuild.GeneratedFunctionsAsync());

        Assert.Contains(problems, p => p.Contains($"Function {RouteNames.Health} has no route", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Breaks => new()
    {
        { "route", "healthz" },
        { "method", "POST" },
        { "auth", "Function" },
        { "call", RouteNames.OpenApi },
        { "entry", nameof(RequestPipeline.DispatchAsync) },
    };

    /// <summary>Each way a function can drift from its route is reported (the checks above can fail).</summary>
    [Theory]
    [MemberData(nameof(Breaks))]
    public async Task FunctionDriftingFromItsRoute_FailsParity(string what, string value)
    {
        var functions = (await WorkerBuild.GeneratedFunctionsAsync()).Select(f => f.Name != RouteNames.Health ? f : what switch
        {
            "route" => f with { Route = value },
            "method" => f with { Methods = [value] },
            "auth" => f with { AuthLevel = value },
            "call" => f with { CoreCallName = value },
            _ => f with { CoreMethod = value },
        }).ToList();

        var problems = FunctionsParity.Problems(CoreSurface.Current, functions);

        Assert.Contains(problems, p => p.StartsWith($"Function {RouteNames.Health} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QueueOrTimerDrift_FailsParity()
    {
        var functions = (await WorkerBuild.GeneratedFunctionsAsync()).Select(f => f.Trigger switch
        {
            "queueTrigger" => f with { Connection = "OtherStorage" },
            "timerTrigger" => f with { Schedule = "0 0 * * * *" },
            _ => f,
        }).ToList();

        var problems = FunctionsParity.Problems(CoreSurface.Current, functions);

        foreach (var name in CoreSurface.Current.Queues.Select(q => q.Name).Concat(CoreSurface.Current.Timers.Select(t => t.Name)))
        {
            Assert.Contains(problems, p => p.StartsWith($"Function {name} ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void HostJson_RoutePrefix_IsCores()
    {
        foreach (var file in new[] { Path.Combine(WorkerBuild.OutputDirectory, "host.json"), Path.Combine(Node.Root, "host.json") })
        {
            using var hostJson = JsonDocument.Parse(File.ReadAllText(file));
            Assert.Equal(Routes.Prefix, hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        }
    }

    [Fact]
    public async Task WorkerServiceGraph_BuildsValidated_AndEveryFunctionClassResolves()
    {
        using var worker = WorkerTestHost.BuildWorker(validate: true);
        var classes = (await WorkerBuild.GeneratedFunctionsAsync()).Select(f => f.EntryPoint[..f.EntryPoint.LastIndexOf('.')]).Distinct().ToList();
        Assert.True(classes.Count >= 10, $"Only {classes.Count} function classes found.");

        using var scope = worker.Services.CreateScope();
        foreach (var name in classes)
        {
            // The worker's default activator creates function classes this way, from the invocation's scope.
            Assert.NotNull(ActivatorUtilities.CreateInstance(scope.ServiceProvider, WorkerBuild.Assembly.GetType(name, throwOnError: true)!));
        }
    }

    /// <summary>
    /// The worker maps each function's template onto ASP.NET Core endpoint routing too (FunctionsEndpointDataSource); a
    /// worker whose routing lacked the regex constraint (AddRoutingCore's stub) would fail every constrained route.
    /// </summary>
    [Fact]
    public void WorkerRouting_EnforcesTheRegexConstraint()
    {
        using var worker = WorkerTestHost.BuildWorker();
        var resolver = worker.Services.GetRequiredService<IInlineConstraintResolver>();
        var constraint = resolver.ResolveConstraint("regex(^act_)");
        Assert.NotNull(constraint);

        bool Matches(string value) => constraint.Match(null, null, "proposalId",
            new RouteValueDictionary { ["proposalId"] = value }, RouteDirection.IncomingRequest);

        Assert.True(Matches("act_abc"));
        Assert.False(Matches("signing-secret"));
    }

    [Fact]
    public async Task Publish_HoldsTheHostFiles_AndNoLocalSettings()
    {
        var published = await WorkerBuild.PublishAsync();
        try
        {
            AssertPublishOutput(published);
        }
        finally
        {
            if (Directory.Exists(published.Directory))
            {
                Directory.Delete(published.Directory, recursive: true);
            }
        }
    }

    private static void AssertPublishOutput(PublishResult published)
    {
        Assert.True(published.ExitCode == 0, published.Output);
        foreach (var file in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", "Comx.Functions.dll" })
        {
            Assert.True(File.Exists(Path.Combine(published.Directory, file)), $"{file} is missing from the publish output.");
        }

        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(published.Directory, ".azurefunctions"), "*.dll"));
        Assert.Empty(Directory.EnumerateFiles(published.Directory, "local.settings*.json", SearchOption.AllDirectories));
        Assert.True(published.LocalSettingsExisted, "The publish ran without a local.settings.json next to the project, so its exclusion was not tested.");
        Assert.Equal(
            WorkerBuild.FunctionsMetadataFile(WorkerBuild.OutputDirectory).Select(Key).Order(StringComparer.Ordinal),
            WorkerBuild.FunctionsMetadataFile(published.Directory).Select(Key).Order(StringComparer.Ordinal));
        using var extensions = JsonDocument.Parse(File.ReadAllText(Path.Combine(published.Directory, "extensions.json")));
        Assert.Contains(extensions.RootElement.GetProperty("extensions").EnumerateArray(),
            e => e.GetProperty("name").GetString() == "AzureStorageQueues"
                && File.Exists(Path.Combine(published.Directory, e.GetProperty("hintPath").GetString()!)));
        using var workerConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(published.Directory, "worker.config.json")));
        Assert.Equal("Comx.Functions.dll", workerConfig.RootElement.GetProperty("description").GetProperty("defaultWorkerPath").GetString());
    }
}
