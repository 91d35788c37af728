using Azure;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Identity;

/// <summary>What claiming an inbound event found.</summary>
public enum InboundClaim
{
    /// <summary>This request owns the event: apply it, then <see cref="InboundEventLog.CompleteAsync"/> (or release on failure).</summary>
    Acquired,

    /// <summary>The event was applied before: acknowledge it and change nothing.</summary>
    Applied,

    /// <summary>Another request is applying it right now: answer "retry later", so a crash mid-apply is not mistaken for success.</summary>
    InFlight,
}

/// <summary>
/// Applies each inbound webhook event (Svix message id, Stripe event id) once. Claiming is an insert, so of any number
/// of concurrent copies exactly one gets <see cref="InboundClaim.Acquired"/>; the row says <c>applied</c> only after the
/// event was applied, and a claim left <c>applying</c> by a process that died is taken over after
/// <see cref="ClaimTimeout"/>, so the sender's retry applies it instead of being told it was a duplicate.
/// </summary>
public sealed class InboundEventLog(ComxStorage storage, TimeProvider time)
{
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(2);

    private const string Applying = "applying";
    private const string AppliedState = "applied";
    private const int MaxAttempts = 5;

    private TableClient Table => storage.Table(StorageNames.Tables.WebhookEvents);

    public async Task<InboundClaim> ClaimAsync(string source, string eventId, string type, CancellationToken cancellationToken = default)
    {
        var row = StorageKeys.Hash(eventId);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = time.GetUtcNow();
            var claim = new TableEntity(source, row)
            {
                ["EventId"] = Truncate(eventId),
                ["Type"] = Truncate(type),
                ["State"] = Applying,
                ["ClaimedAt"] = now,
            };
            try
            {
                await Table.AddEntityAsync(claim, cancellationToken);
                return InboundClaim.Acquired;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }

            var existing = await Table.GetEntityIfExistsAsync<TableEntity>(source, row, cancellationToken: cancellationToken);
            if (!existing.HasValue)
            {
                continue;
            }

            var entity = existing.Value!;

            // Rows written before claims existed have no State and were written after the event was applied.
            if (entity.GetString("State") is null or AppliedState)
            {
                return InboundClaim.Applied;
            }

            if (entity.GetDateTimeOffset("ClaimedAt") is { } claimedAt && now - claimedAt < ClaimTimeout)
            {
                return InboundClaim.InFlight;
            }

            try
            {
                await Table.UpdateEntityAsync(claim, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                return InboundClaim.Acquired;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
            }
        }

        return InboundClaim.InFlight;
    }

    /// <summary>Marks a claimed event applied: from now on every copy is acknowledged as a duplicate.</summary>
    public async Task CompleteAsync(string source, string eventId, CancellationToken cancellationToken = default) =>
        await Table.UpdateEntityAsync(new TableEntity(source, StorageKeys.Hash(eventId))
        {
            ["State"] = AppliedState,
            ["AppliedAt"] = time.GetUtcNow(),
        }, ETag.All, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Gives a claim back when the event was not applied (refused or failed), so a retry applies it.</summary>
    public async Task ReleaseAsync(string source, string eventId, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.DeleteEntityAsync(source, StorageKeys.Hash(eventId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>Gives a claim back after a failure, without letting a storage error hide the failure itself.</summary>
    internal async Task ReleaseQuietlyAsync(string source, string eventId)
    {
        try
        {
            await ReleaseAsync(source, eventId, CancellationToken.None);
        }
        catch (Exception e) when (ProviderFailure.IsUnavailable(e))
        {
            // Storage is down: the claim times out after ClaimTimeout and the sender's retry takes it over.
        }
    }

    private static string Truncate(string value) => value.Length <= 200 ? value : value[..200];
}
