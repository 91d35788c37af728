using Comx.DevHost;

[assembly: AssemblyFixture(typeof(Comx.Tests.Infrastructure.AzuriteFixture))]
[assembly: CaptureConsole]

namespace Comx.Tests.Infrastructure;

/// <summary>
/// One real Azurite for the whole run: reused when already listening, otherwise started in memory from the
/// repository's npm dependencies. If it cannot be reached every test fails; there is no fake storage to fall back to.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string ConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    private AzuriteProcess? _azurite;

    public async ValueTask InitializeAsync() =>
        _azurite = await AzuriteProcess.EnsureRunningAsync(dataDirectory: null, TextWriter.Null);

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
