using System.Diagnostics;
using System.Globalization;
using Comx.Tests.Infrastructure;

namespace Comx.Tests.Deliveries;

/// <summary>tools/verify-webhook.mjs running as a real receiver: it verifies the first delivery with the documented Node snippet.</summary>
public sealed class NodeReceiver : IAsyncDisposable
{
    private readonly Process _process;

    private NodeReceiver(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<NodeReceiver> StartAsync()
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Node.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(Node.Root, "tools", "verify-webhook.mjs"));
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException(await process.StandardError.ReadToEndAsync());
        var port = int.Parse(line["listening ".Length..], CultureInfo.InvariantCulture);
        return new NodeReceiver(process, new Uri($"http://127.0.0.1:{port}/comx-webhook"));
    }

    public async Task SendSecretAsync(string secret)
    {
        await _process.StandardInput.WriteLineAsync(secret);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The receiver's verdict line for the first request it got.</summary>
    public async Task<string> ReadVerdictAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException(await _process.StandardError.ReadToEndAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
