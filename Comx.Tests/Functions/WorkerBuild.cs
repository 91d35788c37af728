using System.Diagnostics;
using System.Reflection;
using System.Reflection.Emit;
using System.Text.Json;
using Comx.Core;
using Comx.Functions;
using Comx.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;

namespace Comx.Tests.Functions;

/// <summary>
/// One function as the worker's real build declares it: the trigger binding from the function metadata (source-generated
/// or functions.metadata), and the Core entry point and name its compiled body passes on.
/// </summary>
public sealed record DeclaredFunction(string Name, string EntryPoint, string Trigger, IReadOnlyList<string> Methods, string? Route,
    string? AuthLevel, string? Queue, string? Connection, string? Schedule)
{
    /// <summary>The first string constant the function's IL loads: the route or job name it hands to Core.</summary>
    public string? CoreCallName { get; init; }

    /// <summary>The Comx.Core method the function's IL calls (HandleAsync, DispatchAsync, RunQueueJobAsync, RunTimerAsync).</summary>
    public string? CoreMethod { get; init; }
}

/// <summary>Comx.Functions as built: its assembly, its output directory, its generated metadata, and one publish per test run.</summary>
public static class WorkerBuild
{
    private static readonly Lazy<Task<PublishResult>> Published = new(PublishAsyncCore);

    public static Assembly Assembly => typeof(ComxWorker).Assembly;

    /// <summary>Comx.Functions/bin/&lt;configuration&gt;/net10.0/, where the SDK writes functions.metadata and .azurefunctions/.</summary>
    public static string OutputDirectory => Path.GetFullPath(Metadata("FunctionsOutputPath"));

    public static string ProjectPath => Path.GetFullPath(Metadata("FunctionsProjectPath"));

    /// <summary>The source-generated metadata provider's answer: what the host receives with worker indexing on.</summary>
    public static async Task<IReadOnlyList<DeclaredFunction>> GeneratedFunctionsAsync()
    {
        var type = Assembly.GetTypes().Single(t => typeof(IFunctionMetadataProvider).IsAssignableFrom(t) && !t.IsAbstract);
        var provider = (IFunctionMetadataProvider)Activator.CreateInstance(type, nonPublic: true)!;
        var metadata = await provider.GetFunctionMetadataAsync(OutputDirectory);
        return [.. metadata.Select(m => Declared(m.Name!, m.EntryPoint!, m.RawBindings!.Select(b => JsonDocument.Parse(b).RootElement.Clone())))];
    }

    /// <summary>functions.metadata in a directory (the build output or the publish output): the host's fallback list.</summary>
    public static IReadOnlyList<DeclaredFunction> FunctionsMetadataFile(string directory)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "functions.metadata")));
        return [.. document.RootElement.EnumerateArray().Select(f =>
            Declared(f.GetProperty("name").GetString()!, f.GetProperty("entryPoint").GetString()!, f.GetProperty("bindings").EnumerateArray().Select(b => b.Clone())))];
    }

    /// <summary>
    /// <c>dotnet publish --no-build</c> of the configuration under test, once per test run (it takes a while), into a
    /// directory of its own.
    /// </summary>
    public static Task<PublishResult> PublishAsync() => Published.Value;

    private static async Task<PublishResult> PublishAsyncCore()
    {
        // The project copies ../local.settings.json to the build output but must never publish it: make sure there is
        // one to leave out (a copy of the sample, removed again), or the check would pass for want of a file.
        var localSettings = Path.Combine(Node.Root, "local.settings.json");
        var created = !File.Exists(localSettings);
        if (created)
        {
            File.Copy(Path.Combine(Node.Root, "local.settings.sample.json"), localSettings);
        }

        try
        {
            return await RunPublishAsync() with { LocalSettingsExisted = File.Exists(localSettings) };
        }
        finally
        {
            if (created)
            {
                File.Delete(localSettings);
            }
        }
    }

    private static async Task<PublishResult> RunPublishAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "comx-functions-publish-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "publish", ProjectPath, "-c", Metadata("BuildConfiguration"), "--no-build", "-o", directory, "--nologo", "-v", "quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet publish.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return new PublishResult(directory, process.ExitCode, await output + await error);
    }

    private static DeclaredFunction Declared(string name, string entryPoint, IEnumerable<JsonElement> bindings)
    {
        var trigger = bindings.Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));
        string? Text(string property) => trigger.TryGetProperty(property, out var value) ? value.GetString() : null;
        var methods = trigger.TryGetProperty("methods", out var list) ? list.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList() : [];
        var (coreName, coreMethod) = CoreCall(entryPoint);
        return new DeclaredFunction(name, entryPoint, trigger.GetProperty("type").GetString()!, methods, Text("route"), Text("authLevel"),
            Text("queueName"), Text("connection"), Text("schedule"))
        {
            CoreCallName = coreName,
            CoreMethod = coreMethod,
        };
    }

    /// <summary>Reads the compiled body of a function: the first string it loads and the last Comx.Core method it calls.</summary>
    /// <summary>The compiled method a metadata entry point (<c>Namespace.Class.Method</c>) names.</summary>
    public static MethodInfo Method(string entryPoint)
    {
        ArgumentNullException.ThrowIfNull(entryPoint);
        var dot = entryPoint.LastIndexOf('.');
        var type = Assembly.GetType(entryPoint[..dot], throwOnError: true)!;
        return type.GetMethod(entryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"No method for entry point {entryPoint}.");
    }

    private static (string? Name, string? Method) CoreCall(string entryPoint)
    {
        var method = Method(entryPoint);
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        string? name = null;
        string? callee = null;
        for (var i = 0; i < il.Length;)
        {
            var opCode = il[i] == 0xFE ? TwoByteOpCodes[il[i + 1]] : OneByteOpCodes[il[i]];
            i += opCode.Size;
            if (opCode == OpCodes.Ldstr)
            {
                name ??= method.Module.ResolveString(BitConverter.ToInt32(il, i));
            }
            else if ((opCode == OpCodes.Call || opCode == OpCodes.Callvirt)
                && method.Module.ResolveMethod(BitConverter.ToInt32(il, i)) is { } target
                && target.DeclaringType?.Assembly == typeof(RequestPipeline).Assembly)
            {
                callee = target.Name;
            }

            i += opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
        }

        return (name, callee);
    }

    private static readonly Dictionary<byte, OpCode> OneByteOpCodes = AllOpCodes().Where(o => o.Size == 1).ToDictionary(o => (byte)o.Value);

    private static readonly Dictionary<byte, OpCode> TwoByteOpCodes = AllOpCodes().Where(o => o.Size == 2).ToDictionary(o => (byte)(o.Value & 0xFF));

    private static IEnumerable<OpCode> AllOpCodes() =>
        typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!);

    private static string Metadata(string key) =>
        typeof(WorkerBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"Comx.Tests was built without the {key} assembly metadata.");
}

/// <summary>The output directory of <c>dotnet publish</c>, its exit code and what it printed.</summary>
public sealed record PublishResult(string Directory, int ExitCode, string Output)
{
    public bool LocalSettingsExisted { get; init; }
}
