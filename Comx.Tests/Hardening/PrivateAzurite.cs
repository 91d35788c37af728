using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Comx.DevHost;

namespace Comx.Tests.Hardening;

/// <summary>
/// An Azurite of the test's own, on free ports with its data on disk, that the test may stop and start again: the shared
/// Azurite on 10000-10002 is never touched. Stop kills the process (as an outage would); Start brings it back on the
/// same ports with the same data.
/// </summary>
public sealed class PrivateAzurite : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "comx-azurite-" + Guid.NewGuid().ToString("N"));
    private readonly int[] _ports = [FreePort(), FreePort(), FreePort()];
    private Process? _process;

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{_ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{_ports[1]}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{_ports[2]}/devstoreaccount1;";

    public async Task StartAsync()
    {
        var root = AzuriteProcess.RepositoryRoot() ?? throw new InvalidOperationException("No repository root.");
        var start = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js"), "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
                     "--location", _directory, "--blobPort", $"{_ports[0]}", "--queuePort", $"{_ports[1]}", "--tablePort", $"{_ports[2]}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        Directory.CreateDirectory(_directory);
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 300; i++)
        {
            if ((await Task.WhenAll(_ports.Select(AzuriteProcess.IsListeningAsync))).All(l => l))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("The private Azurite did not start.");
    }

    /// <summary>
    /// Stops Azurite as a service restart would: SIGTERM, so it saves its data (its table store writes to disk only every
    /// few seconds), then a kill if it has not exited within 15 s.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
