using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Comx.DevHost;

namespace Comx.Tests.Infra;

/// <summary>One diagnostic the Bicep CLI prints on stderr: <c>path(line,column) : Level code: message</c>.</summary>
public sealed record BicepDiagnostic(string File, int Line, int Column, string Level, string Code, string Message)
{
    public override string ToString() => $"{Path.GetFileName(File)}({Line},{Column}) {Level} {Code}: {Message}";
}

/// <summary>The outcome of one Bicep CLI command.</summary>
public sealed record BicepRun(string Command, int ExitCode, string Output, IReadOnlyList<BicepDiagnostic> Diagnostics, IReadOnlyList<string> UnparsedErrorLines)
{
    /// <summary>
    /// Everything that makes a run unclean. Warnings leave the exit code at 0, so the diagnostics are read too; any stderr
    /// line that is not a diagnostic counts as well, so a change in the output format cannot pass unnoticed.
    /// </summary>
    public IReadOnlyList<string> Problems() =>
    [
        .. ExitCode == 0 ? Array.Empty<string>() : [$"bicep {Command} exited with {ExitCode}"],
        .. Diagnostics.Select(d => d.ToString()),
        .. UnparsedErrorLines.Select(l => $"unparsed stderr: {l}"),
    ];
}

/// <summary>
/// Runs the real Bicep CLI, the single-file executable in the NuGet package Azure.Bicep.CommandLine.linux-x64 (its path is
/// stamped into this assembly by Comx.Tests.csproj). Nothing here needs the network: only local modules are used.
/// </summary>
public static partial class BicepCli
{
    private static readonly Lazy<string> Executable = new(FindExecutable);

    public static string InfraDirectory => Path.Combine(
        AzuriteProcess.RepositoryRoot() ?? throw new InvalidOperationException("No repository root."), "infra", "bicep");

    public static string ExecutablePath => Executable.Value;

    public static async Task<BicepRun> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bicep.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish in 2 minutes.");
        }

        var diagnostics = new List<BicepDiagnostic>();
        var unparsed = new List<string>();
        foreach (var line in (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = DiagnosticLine().Match(line);
            if (match.Success)
            {
                diagnostics.Add(new BicepDiagnostic(
                    match.Groups["file"].Value,
                    int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(match.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    match.Groups["level"].Value,
                    match.Groups["code"].Value,
                    match.Groups["message"].Value));
            }
            else
            {
                unparsed.Add(line);
            }
        }

        return new BicepRun(string.Join(' ', arguments), process.ExitCode, await output, diagnostics, unparsed);
    }

    [GeneratedRegex(@"^(?<file>.+)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:\s]+): (?<message>.*)$")]
    private static partial Regex DiagnosticLine();

    private static string FindExecutable()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("The infrastructure tests run the linux-x64 Bicep CLI (Azure.Bicep.CommandLine.linux-x64): run them on linux-x64, as CI does.");
        }

        var package = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepPackagePath")?.Value;
        if (string.IsNullOrEmpty(package))
        {
            throw new InvalidOperationException("BicepPackagePath is not stamped into Comx.Tests: restore Comx.Tests.csproj (PackageReference Azure.Bicep.CommandLine.linux-x64, GeneratePathProperty).");
        }

        var path = Path.Combine(package, "tools", "bicep");
        return File.Exists(path)
            ? EnsureExecutable(path, Path.GetFileName(package))
            : throw new FileNotFoundException($"The Bicep CLI is not in the restored package: {path}");
    }

    // NuGet does not promise to keep the executable bit when it extracts a package.
    [SupportedOSPlatform("linux")]
    private static string EnsureExecutable(string path, string version)
    {
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & execute) == execute)
        {
            return path;
        }

        try
        {
            File.SetUnixFileMode(path, mode | execute);
            return path;
        }
        catch (UnauthorizedAccessException)
        {
            // The package folder belongs to another user: run a private copy.
            var copy = Path.Combine(Path.GetTempPath(), $"comx-bicep-{version}-{Environment.UserName}", "bicep");
            if (!File.Exists(copy) || new FileInfo(copy).Length != new FileInfo(path).Length)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(path, copy, overwrite: true);
            }

            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return copy;
        }
    }
}
