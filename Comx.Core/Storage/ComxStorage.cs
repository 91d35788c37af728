using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Comx.Core.Storage;

/// <summary>
/// The storage account behind <c>AzureWebJobsStorage</c>: a connection string (Azurite locally), or identity-based
/// (<c>AzureWebJobsStorage__accountName</c> or explicit service URIs, with DefaultAzureCredential).
/// Queue clients Base64-encode messages, as the Functions queue trigger expects (host.json <c>messageEncoding</c>).
/// </summary>
public sealed class ComxStorage
{
    public const string ConnectionSetting = "AzureWebJobsStorage";

    private readonly TableServiceClient _tables;
    private readonly QueueServiceClient _queues;
    private readonly BlobServiceClient _blobs;
    private readonly Lazy<Task> _created;

    public ComxStorage(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var connectionString = configuration[ConnectionSetting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            _tables = new TableServiceClient(connectionString);
            _queues = new QueueServiceClient(connectionString, queueOptions);
            _blobs = new BlobServiceClient(connectionString);
        }
        else
        {
            var section = configuration.GetSection(ConnectionSetting);
            var account = section["accountName"];
            Uri ServiceUri(string key, string service) =>
                section[key] is { Length: > 0 } explicitUri ? new Uri(explicitUri)
                : account is { Length: > 0 } ? new Uri($"https://{account}.{service}.core.windows.net")
                : throw new InvalidOperationException(
                    $"Storage is not configured: set {ConnectionSetting} (connection string) or {ConnectionSetting}__accountName.");
            TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = section["clientId"],
            });
            _tables = new TableServiceClient(ServiceUri("tableServiceUri", "table"), credential);
            _queues = new QueueServiceClient(ServiceUri("queueServiceUri", "queue"), credential, queueOptions);
            _blobs = new BlobServiceClient(ServiceUri("blobServiceUri", "blob"), credential);
        }

        _created = new Lazy<Task>(() => CreateAllAsync(CancellationToken.None));
    }

    public TableClient Table(string name) => _tables.GetTableClient(name);

    public QueueClient Queue(string name) => _queues.GetQueueClient(name);

    public BlobContainerClient Container(string name) => _blobs.GetBlobContainerClient(name);

    /// <summary>Creates every table, queue (with its poison queue) and container, once per process.</summary>
    public Task EnsureCreatedAsync() => _created.Value;

    /// <summary>One cheap round trip to each service; false when storage is unreachable.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await Table(StorageNames.Tables.Orgs).GetEntityIfExistsAsync<TableEntity>("health", "health", cancellationToken: timeout.Token);
            await Queue(StorageNames.Queues.IngestJobs).GetPropertiesAsync(timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or OperationCanceledException or HttpRequestException or AggregateException)
        {
            return false;
        }
    }

    private async Task CreateAllAsync(CancellationToken cancellationToken)
    {
        var work = new List<Task>();
        work.AddRange(StorageNames.Tables.All.Select(t => _tables.CreateTableIfNotExistsAsync(t, cancellationToken)));
        foreach (var queue in StorageNames.Queues.All)
        {
            work.Add(Queue(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
            work.Add(Queue(StorageNames.Queues.Poison(queue)).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
        }

        work.AddRange(StorageNames.Containers.All.Select(c => Container(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        await Task.WhenAll(work);
    }
}
