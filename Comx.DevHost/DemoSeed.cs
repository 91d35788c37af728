using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Knowledge;

namespace Comx.DevHost;

/// <summary><c>Comx:DevHost</c> settings.</summary>
public sealed class DemoSeedOptions
{
    public const string Section = "Comx:DevHost";

    /// <summary>Seed the demo organisation at start (scripts/run-local.sh sets it).</summary>
    public bool SeedDemo { get; set; }

    /// <summary>The demo organisation's id; tests use their own so they never rotate a running DevHost's key.</summary>
    public string DemoOrgId { get; set; } = DemoOrg.OrgId;
}

/// <summary>What the seed produced, for the console and for tests.</summary>
public sealed record DemoSeedResult(string OrgId, string WidgetKey, string ApiKey, string SourceId, string JobId, IngestJobStatus JobStatus);

/// <summary>
/// Seeds the demo organisation before the DevHost starts listening (hosted services start before Kestrel), idempotently:
/// the org (on the school plan, so the demo never hits the trial's end), an admin and membership through
/// <see cref="OrgDirectory"/>, a widget allowing http://localhost:7071, a dev API key, and a sample text source about
/// the school. The source is ingested through <see cref="IngestService"/>, the same code the API and the queue job
/// run, and the seed waits for the job, so the index exists when the DevHost is ready. The API key is rotated on each
/// start (the previous one stops working), so there is always exactly one demo key and it can be printed.
/// </summary>
internal sealed partial class DemoSeed(
    Microsoft.Extensions.Options.IOptions<DemoSeedOptions> options,
    OrgDirectory directory,
    WidgetSettingsStore widgets,
    ApiKeyStore apiKeys,
    SourceStore sources,
    IngestJobStore jobs,
    IngestService ingest,
    TimeProvider time,
    ILogger<DemoSeed> logger) : IHostedService
{
    public const string OrgName = "Hillside Primary School (demo)";
    public const string AdminUserId = "user_demo_admin";
    public const string ApiKeyName = "DevHost demo key";
    public const string SourceTitle = "Hillside Primary School parent handbook";
    public const string DemoOrigin = "http://localhost:7071";

    private static readonly TimeSpan JobWait = TimeSpan.FromSeconds(60);

    public DemoSeedResult? Result { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedDemo)
        {
            return;
        }

        Result = await SeedAsync(options.Value.DemoOrgId, cancellationToken);
        // Console, not the logger: the dev key is shown to the person running the DevHost, never written to logs.
        await Console.Out.WriteLineAsync($"""

            ==> Demo organisation "{OrgName}" ({Result.OrgId}) is ready; sample source {Result.SourceId}: {Result.JobStatus.ToString().ToLowerInvariant()}.
                Demo page:  {DemoOrigin}/demo
                Widget key: {Result.WidgetKey}
                API key (rotated on every start; the previous one no longer works):
                  curl -H "Authorization: Bearer {Result.ApiKey}" localhost:7071/api/org/v1/sources

            """);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal async Task<DemoSeedResult> SeedAsync(string orgId, CancellationToken cancellationToken)
    {
        const long Version = 1;
        await directory.UpsertOrgAsync(orgId, OrgName, "hillside-demo", Version, cancellationToken);
        await directory.UpdateBillingAsync(orgId, org =>
        {
            if (org.Plan == nameof(Core.Billing.Plan.School) && org.PlanStatus == "active")
            {
                return false;
            }

            (org.Plan, org.PlanStatus, org.TrialEndsAt) = (nameof(Core.Billing.Plan.School), "active", null);
            return true;
        }, cancellationToken);
        await directory.UpsertUserAsync(AdminUserId, "admin@hillside-primary.example", "Demo Admin", Version, cancellationToken);
        await directory.UpsertMembershipAsync(orgId, AdminUserId, "orgmem_demo_admin", OrgCaller.AdminRole, Version, cancellationToken);

        var widget = await widgets.UpdateAsync(orgId, new WidgetSettingsRequest([DemoOrigin],
            "Hello! I'm the Hillside Primary helper. Ask me about term dates, uniform, lunches or clubs.", HandoffEnabled: true), cancellationToken);

        var existingKey = (await apiKeys.ListAsync(orgId, cancellationToken)).FirstOrDefault(k => k.Name == ApiKeyName && k.RevokedAt is null);
        var key = existingKey is null ? null : await apiKeys.RotateAsync(orgId, existingKey.KeyId, cancellationToken);
        key ??= await apiKeys.CreateAsync(orgId, ApiKeyName, AdminUserId, cancellationToken);

        var source = (await sources.ListAllAsync(orgId, cancellationToken)).FirstOrDefault(s => s.Type == SourceType.Text && s.Title == SourceTitle);
        IngestJobRecord job;
        string sourceId;
        if (source is null)
        {
            var created = await ingest.CreateSourceAsync(orgId, AdminUserId, new CreateSourceRequest(SourceType.Text, SourceTitle, Content: DemoContent.Handbook), cancellationToken);
            if (created.Error is { } error)
            {
                throw new InvalidOperationException($"The demo source could not be created: {error.Message}");
            }

            (sourceId, job) = (created.Value.Source.SourceId, created.Value.Job);
        }
        else
        {
            sourceId = source.SourceId;
            job = await ingest.StartJobAsync(orgId, sourceId, IngestTrigger.Api, cancellationToken: cancellationToken)
                ?? throw new InvalidOperationException("The demo source disappeared while seeding.");
        }

        // The job is also on the queue; whichever of this call and a queue worker claims it runs it, and the other waits.
        await ingest.RunAsync(IngestJobMessage.For(orgId, job.JobId), cancellationToken);
        var finished = await WaitForJobAsync(orgId, job.JobId, cancellationToken);
        if (finished.Status != IngestJobStatus.Succeeded)
        {
            LogSeedJobUnfinished(logger, finished.JobId, finished.Status.ToString(), finished.Error);
        }

        return new DemoSeedResult(orgId, widget.WidgetKey, key.Secret, sourceId, finished.JobId, finished.Status);
    }

    private async Task<IngestJobRecord> WaitForJobAsync(string orgId, string jobId, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + JobWait;
        while (true)
        {
            var job = await jobs.GetAsync(orgId, jobId, cancellationToken) ?? throw new InvalidOperationException($"Demo job {jobId} is missing.");
            if (job.Status is IngestJobStatus.Succeeded or IngestJobStatus.Failed || time.GetUtcNow() > deadline)
            {
                return job;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo source's ingest job {JobId} ended {Status}: {Error}")]
    private static partial void LogSeedJobUnfinished(ILogger logger, string jobId, string status, string? error);
}
