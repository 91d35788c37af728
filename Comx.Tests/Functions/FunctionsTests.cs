using Comx.Core.Http;
using Microsoft.CodeAnalysis;

namespace Comx.Tests.Functions;

public sealed class FunctionsTests
{
    private static readonly Lazy<(IReadOnlyDictionary<string, string> Sources, Microsoft.CodeAnalysis.CSharp.CSharpCompilation Compilation)> Current = new(() =>
    {
        var sources = FunctionsSource.ReadSources();
        return (sources, FunctionsSource.Compile(sources));
    });

    [Fact]
    public void FunctionsSource_CompilesAgainstCoreAndTheWorkerApi()
    {
        var errors = FunctionsSource.Errors(Current.Value.Compilation);
        Assert.True(errors.IsEmpty, string.Join(Environment.NewLine, errors));
        Assert.Contains("Program.cs", Current.Value.Sources.Keys);
    }

    [Fact]
    public void EveryRouteQueueAndTimer_HasExactlyOneMatchingFunction()
    {
        var problems = FunctionsParity.Problems(CoreSurface.Current, FunctionsSource.Functions(Current.Value.Compilation));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void RouteAddedToCoreWithoutFunction_FailsParity()
    {
        var core = CoreSurface.Current;
        var extra = new RouteDefinition("ListGadgets", "GET", "org/v1/gadgets", RouteAuth.Org, (_, _) => Task.FromResult(ApiResult.NoContent()));
        var problems = FunctionsParity.Problems(core with { Routes = [.. core.Routes, extra] }, FunctionsSource.Functions(Current.Value.Compilation));
        Assert.Contains(problems, p => p.Contains("ListGadgets", StringComparison.Ordinal) && p.Contains("has no function", StringComparison.Ordinal));
    }

    [Fact]
    public void FunctionWithoutCoreRoute_FailsParity()
    {
        var core = CoreSurface.Current;
        var problems = FunctionsParity.Problems(core with { Routes = [.. core.Routes.Where(r => r.Name != RouteNames.Health)] }, FunctionsSource.Functions(Current.Value.Compilation));
        Assert.Contains(problems, p => p.Contains(RouteNames.Health, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("pipeline.HandleAsync(", "pipeline.HandleRequestAsync(", "CS1061")]
    [InlineData(", request, cancellationToken)", ", request, 42)", "CS1503")]
    [InlineData(", request, cancellationToken)", ", request)", "CS7036")]
    public void WrongCallInAFunction_FailsToCompile(string original, string replacement, string expectedError)
    {
        var sources = Current.Value.Sources.ToDictionary();
        var file = sources.First(s => s.Value.Contains(original, StringComparison.Ordinal)).Key;
        var index = sources[file].IndexOf(original, StringComparison.Ordinal);
        sources[file] = string.Concat(sources[file].AsSpan(0, index), replacement, sources[file].AsSpan(index + original.Length));

        var errors = FunctionsSource.Errors(FunctionsSource.Compile(sources));

        Assert.Contains(errors, e => e.Id == expectedError);
    }

    [Fact]
    public void RouteChangedOnlyInFunction_FailsParity()
    {
        var sources = Current.Value.Sources.ToDictionary();
        var file = sources.First(s => s.Value.Contains("Route = Routes.Health", StringComparison.Ordinal)).Key;
        sources[file] = sources[file].Replace("Route = Routes.Health", "Route = \"healthz\"", StringComparison.Ordinal);
        var compilation = FunctionsSource.Compile(sources);
        Assert.Empty(FunctionsSource.Errors(compilation));

        var problems = FunctionsParity.Problems(CoreSurface.Current, FunctionsSource.Functions(compilation));

        Assert.Contains(problems, p => p.Contains("healthz", StringComparison.Ordinal));
    }

    [Fact]
    public void FunctionsProject_IsOutsideTheTestBuild()
    {
        var solution = File.ReadAllText(Path.Combine(FunctionsSource.Directory, "..", "Comx.sln"));
        Assert.DoesNotContain("Comx.Functions.csproj", solution, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Azure.Functions.Worker.Sdk", File.ReadAllText(Path.Combine(FunctionsSource.Directory, "Comx.Functions.csproj")), StringComparison.Ordinal);
    }
}
