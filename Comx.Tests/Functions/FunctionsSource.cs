using System.Collections.Immutable;
using Comx.DevHost;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Comx.Tests.Functions;

/// <summary>One function of Comx.Functions as its attributes declare it, read from the compiled source.</summary>
public sealed record DeclaredFunction(string Name, string Trigger, IReadOnlyList<string> Methods, string? Route, string? Queue, string? Schedule, string? CoreCallName, string CoreMethod);

/// <summary>
/// Compiles Comx.Functions' own source files with Roslyn against Comx.Core, ASP.NET Core and the worker declarations
/// in WorkerDeclarations/, and reads each [Function] from the result.
/// </summary>
public static class FunctionsSource
{
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    public static string Directory => Path.Combine(AzuriteProcess.RepositoryRoot() ?? throw new InvalidOperationException("No repository root."), "Comx.Functions");

    public static IReadOnlyDictionary<string, string> ReadSources() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(p => Path.GetRelativePath(Directory, p), File.ReadAllText);

    public static CSharpCompilation Compile(IReadOnlyDictionary<string, string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var declarations = System.IO.Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Functions", "WorkerDeclarations"), "*.cs")
            .Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), parse, p));
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Value, parse, s.Key))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.g.cs"))
            .Concat(declarations);
        return CSharpCompilation.Create("Comx.Functions", trees, References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
    }

    public static ImmutableArray<Diagnostic> Errors(CSharpCompilation compilation)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }

    public static IReadOnlyList<DeclaredFunction> Functions(CSharpCompilation compilation)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        var functions = new List<DeclaredFunction>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(method) is not { } symbol)
                {
                    continue;
                }

                var function = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Microsoft.Azure.Functions.Worker.FunctionAttribute");
                if (function is null)
                {
                    continue;
                }

                var trigger = symbol.Parameters.SelectMany(p => p.GetAttributes())
                    .Single(a => a.AttributeClass?.BaseType?.ToDisplayString() == "Microsoft.Azure.Functions.Worker.Extensions.Abstractions.TriggerBindingAttribute");
                var triggerName = trigger.AttributeClass!.Name;
                var methods = triggerName == "HttpTriggerAttribute"
                    ? trigger.ConstructorArguments.Where(a => a.Kind == TypedConstantKind.Array).SelectMany(a => a.Values).Select(v => ((string)v.Value!).ToUpperInvariant()).ToList()
                    : [];
                string? Named(string name) => trigger.NamedArguments.FirstOrDefault(n => n.Key == name).Value.Value as string;
                string? FirstString() => trigger.ConstructorArguments.FirstOrDefault(a => a.Kind == TypedConstantKind.Primitive).Value as string;

                // The Core call the function forwards to, and the route or job name it passes.
                var call = method.DescendantNodes().OfType<InvocationExpressionSyntax>().FirstOrDefault();
                var callee = call is null ? "" : (model.GetSymbolInfo(call).Symbol?.Name ?? "");
                var firstArgument = call?.ArgumentList.Arguments.FirstOrDefault();
                var callName = firstArgument is null ? null : model.GetConstantValue(firstArgument.Expression).Value as string;

                functions.Add(new DeclaredFunction(
                    (string)function.ConstructorArguments[0].Value!,
                    triggerName,
                    methods,
                    triggerName == "HttpTriggerAttribute" ? Named("Route") : null,
                    triggerName == "QueueTriggerAttribute" ? FirstString() : null,
                    triggerName == "TimerTriggerAttribute" ? FirstString() : null,
                    callName,
                    callee));
            }
        }

        return functions;
    }

    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var names = platform.Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var local = System.IO.Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Where(p => !names.Contains(Path.GetFileNameWithoutExtension(p)));
        return platform.Concat(local)
            .Where(p => !Path.GetFileName(p).StartsWith("Comx.Tests", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
    }
}
