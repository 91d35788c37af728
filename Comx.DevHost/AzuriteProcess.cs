using System.Diagnostics;
using System.Net.Sockets;

namespace Comx.DevHost;

/// <summary>
/// Runs the repository's pinned Azurite (npm) when local-emulator storage is configured and nothing listens on its
/// ports; an Azurite that is already running is reused and left alone. Used by the DevHost and by the tests.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    public const int BlobPort = 10000;
    public const int QueuePort = 10001;
    public const int TablePort = 10002;

    private readonly Process? _process;

    private AzuriteProcess(Process? process) => _process = process;

    /// <summary>True when this object started Azurite (and so stops it).</summary>
    public bool Started => _process is not null;

    public static bool IsLocalEmulator(string? connectionString) =>
        connectionString is not null
        && (connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
            || connectionString.Contains("127.0.0.1:1000", StringComparison.Ordinal)
            || connectionString.Contains("localhost:1000", StringComparison.OrdinalIgnoreCase));

    public static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Reuses a running Azurite, or starts one from <c>node_modules</c> (running <c>npm ci</c> first if needed).</summary>
    public static async Task<AzuriteProcess> EnsureRunningAsync(string? dataDirectory, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var listening = await Task.WhenAll(IsListeningAsync(BlobPort), IsListeningAsync(QueuePort), IsListeningAsync(TablePort));
        if (listening.All(l => l))
        {
            return new AzuriteProcess(null);
        }

        if (listening.Any(l => l))
        {
            throw new InvalidOperationException("Some Azurite ports (10000-10002) are in use and others are not; stop the other process first.");
        }

        var root = RepositoryRoot() ?? throw new InvalidOperationException("Cannot find the repository's package.json to start Azurite from.");
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            await log.WriteLineAsync("Installing npm packages (Azurite) with npm ci …");
            await RunToEndAsync("npm", "ci --no-audit --no-fund", root, cancellationToken);
        }

        var arguments = new List<string> { script, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry" };
        if (dataDirectory is null)
        {
            arguments.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(dataDirectory);
            arguments.AddRange(["--location", dataDirectory]);
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ForEach(start.ArgumentList.Add);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting.");
            }

            var ready = await Task.WhenAll(IsListeningAsync(BlobPort), IsListeningAsync(QueuePort), IsListeningAsync(TablePort));
            if (ready.All(r => r))
            {
                await log.WriteLineAsync("Started Azurite on ports 10000-10002.");
                return new AzuriteProcess(process);
            }

            await Task.Delay(200, cancellationToken);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("Azurite did not start listening within 30 s.");
    }

    /// <summary>The directory holding the repository's package.json, searched upward from the app and the working directory.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "package.json")) && File.Exists(Path.Combine(directory.FullName, "Comx.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }

    private static async Task RunToEndAsync(string file, string arguments, string directory, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = directory })
            ?? throw new InvalidOperationException($"Could not start {file}.");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed with exit code {process.ExitCode}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
