using Azure;
using Azure.Data.Tables;
using Comx.Core.Events;
using Comx.Core.Storage;

namespace Comx.Core.Chat;

/// <summary>
/// Enquiries, in the organisation's partition of the conversations table (so one is stored with its
/// <c>enquiry.created</c> event in one transaction). Row kinds: <c>e|newest-first time|enquiry</c> (the enquiry, listed
/// newest first by a range query) and <c>q|enquiry</c> (a pointer to it, so it can be read and closed by id).
/// </summary>
public sealed class EnquiryStore(ComxStorage storage, EventStore events)
{
    private const string ListPrefix = "e|";
    private const string PointerPrefix = "q|";

    private TableClient Table => storage.Table(StorageNames.Tables.Conversations);

    /// <summary>Stores a new enquiry with the events it raises, atomically.</summary>
    public async Task AddAsync(string orgId, EnquiryResponse enquiry, IReadOnlyList<EventRecord> raised, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(enquiry);
        var entity = EnquiryEntity.From(orgId, enquiry);
        var pointer = new TableEntity(orgId, PointerPrefix + enquiry.EnquiryId) { ["ListKey"] = entity.RowKey };
        await events.SubmitAsync(Table, orgId,
            [new TableTransactionAction(TableTransactionActionType.Add, entity), new TableTransactionAction(TableTransactionActionType.Add, pointer)], raised, cancellationToken);
    }

    public async Task<ListPage<EnquiryResponse>> ListAsync(string orgId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var rows = await Table.QueryPageAsync<EnquiryEntity>(ListFilter(orgId), page, cancellationToken: cancellationToken);
        return new ListPage<EnquiryResponse>([.. rows.Data.Select(r => r.ToResponse())], rows.NextCursor);
    }

    /// <summary>
    /// Deletes the organisation's enquiries that <paramref name="match"/> accepts (retention, a learner's erasure), each
    /// with its pointer row; returns how many enquiries went.
    /// </summary>
    public async Task<int> DeleteWhereAsync(string orgId, Func<EnquiryResponse, bool> match, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        var doomed = new List<ITableEntity>();
        await foreach (var row in Table.QueryAsync<EnquiryEntity>(ListFilter(orgId), cancellationToken: cancellationToken))
        {
            var enquiry = row.ToResponse();
            if (match(enquiry))
            {
                // Side by side, so the two go in one transaction (batches of 100 never split a pair).
                doomed.Add(new TableEntity(orgId, PointerPrefix + enquiry.EnquiryId));
                doomed.Add(row);
            }
        }

        await TableBatches.DeleteAsync(Table, doomed, cancellationToken);
        return doomed.Count / 2;
    }

    private static string ListFilter(string orgId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {ListPrefix} and RowKey lt {ListPrefix + "~"}");

    public async Task<EnquiryResponse?> GetAsync(string orgId, string enquiryId, CancellationToken cancellationToken = default) =>
        await FindKeyAsync(orgId, enquiryId, cancellationToken) is { } key
        && await Table.GetEntityIfExistsAsync<EnquiryEntity>(orgId, key, cancellationToken: cancellationToken) is { HasValue: true } row
            ? row.Value!.ToResponse()
            : null;

    /// <summary>Closes an enquiry; closing a closed one changes nothing and returns it as it is. Null when there is none.</summary>
    public async Task<EnquiryResponse?> CloseAsync(string orgId, string enquiryId, string closedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (await FindKeyAsync(orgId, enquiryId, cancellationToken) is not { } key)
        {
            return null;
        }

        var updated = await Table.UpdateAsync<EnquiryEntity>(orgId, key, current =>
        {
            if (current is null || current.Status == EnquiryStatus.Closed)
            {
                return null;
            }

            current.Status = EnquiryStatus.Closed;
            current.ClosedAt = now;
            current.ClosedBy = closedBy;
            return current;
        }, cancellationToken);
        return updated?.ToResponse();
    }

    private async Task<string?> FindKeyAsync(string orgId, string enquiryId, CancellationToken cancellationToken)
    {
        if (!enquiryId.StartsWith("enq_", StringComparison.Ordinal) || !StorageKeys.IsSafeKey(enquiryId))
        {
            return null;
        }

        var pointer = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, PointerPrefix + enquiryId, cancellationToken: cancellationToken);
        return pointer.HasValue ? pointer.Value!.GetString("ListKey") : null;
    }

    internal sealed class EnquiryEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Name { get; set; } = "";

        public string Email { get; set; } = "";

        public string? Phone { get; set; }

        public string Message { get; set; } = "";

        public string? SessionId { get; set; }

        public string? ThreadId { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        /// <summary>Null on enquiries stored before they could be closed: those are open.</summary>
        public string? Status { get; set; }

        public DateTimeOffset? ClosedAt { get; set; }

        public string? ClosedBy { get; set; }

        public static EnquiryEntity From(string orgId, EnquiryResponse enquiry) => new()
        {
            PartitionKey = orgId,
            RowKey = $"{ListPrefix}{StorageKeys.NewestFirst(enquiry.CreatedAt)}|{enquiry.EnquiryId}",
            Name = enquiry.Name,
            Email = enquiry.Email,
            Phone = enquiry.Phone,
            Message = enquiry.Message,
            SessionId = enquiry.SessionId,
            ThreadId = enquiry.ThreadId,
            CreatedAt = enquiry.CreatedAt,
            Status = enquiry.Status,
        };

        public EnquiryResponse ToResponse() =>
            new(RowKey.Split('|')[2], Name, Email, Phone, Message, SessionId, ThreadId, CreatedAt, Status ?? EnquiryStatus.Open, ClosedAt);
    }
}

public static class EnquiryStatus
{
    public const string Open = "open";
    public const string Closed = "closed";
}
