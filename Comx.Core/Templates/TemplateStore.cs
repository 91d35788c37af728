using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Templates;

/// <summary>
/// Reply templates, one partition per organisation. Row kinds: <c>newest-first time-template</c> (the template; the
/// 19-digit prefix lists newest first) and <c>p|template</c> (a pointer to it, so it can be read, changed and deleted by
/// id); both are written and deleted in one transaction. Templates from before the pointers are found by their id field.
/// </summary>
public sealed class TemplateStore(ComxStorage storage)
{
    private const string PointerPrefix = "p|";

    // Template rows start with digits; ':' sorts just after '9', so "RowKey lt ':'" is exactly the templates.
    private const string TemplatesEnd = ":";

    private TableClient Table => storage.Table(StorageNames.Tables.Templates);

    public async Task<TemplateResponse> AddAsync(string orgId, string templateId, CreateTemplateRequest request, string createdBy, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entity = new TemplateEntity
        {
            PartitionKey = orgId,
            RowKey = StorageKeys.NewestFirst(now) + "-" + templateId,
            TemplateId = templateId,
            CreatedAt = now,
            CreatedBy = createdBy,
        };
        entity.Apply(request);
        await Table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, entity),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(orgId, PointerPrefix + templateId) { ["TemplateKey"] = entity.RowKey }),
        ], cancellationToken);
        return entity.ToResponse();
    }

    public async Task<ListPage<TemplateResponse>> ListAsync(string orgId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var rows = await Table.QueryPageAsync<TemplateEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey lt {TemplatesEnd}"), page,
            cancellationToken: cancellationToken);
        return new ListPage<TemplateResponse>([.. rows.Data.Select(r => r.ToResponse())], rows.NextCursor);
    }

    public async Task<TemplateResponse?> GetAsync(string orgId, string templateId, CancellationToken cancellationToken = default) =>
        (await FindAsync(orgId, templateId, cancellationToken))?.ToResponse();

    /// <summary>Replaces a template's name, category and body (ETag-checked); null when there is no such template.</summary>
    public async Task<TemplateResponse?> UpdateAsync(string orgId, string templateId, CreateTemplateRequest request, string updatedBy, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await FindAsync(orgId, templateId, cancellationToken) is not { } found)
        {
            return null;
        }

        var updated = await Table.UpdateAsync<TemplateEntity>(orgId, found.RowKey, current =>
        {
            if (current is null)
            {
                return null;
            }

            current.Apply(request);
            current.UpdatedAt = now;
            current.UpdatedBy = updatedBy;
            return current;
        }, cancellationToken);
        return updated?.ToResponse();
    }

    /// <summary>Deletes a template and its pointer together; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string orgId, string templateId, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(orgId, templateId, cancellationToken) is not { } found)
        {
            return false;
        }

        var pointer = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, PointerPrefix + templateId, cancellationToken: cancellationToken);
        List<TableTransactionAction> actions = [new(TableTransactionActionType.Delete, found, found.ETag)];
        if (pointer.HasValue)
        {
            actions.Add(new(TableTransactionActionType.Delete, pointer.Value!, ETag.All));
        }

        try
        {
            await Table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
        {
            // Deleted (or changed) by someone else meanwhile: report what is there now.
            return await FindAsync(orgId, templateId, cancellationToken) is { } still && await DeleteAsync(orgId, still.TemplateId, cancellationToken);
        }
    }

    private async Task<TemplateEntity?> FindAsync(string orgId, string templateId, CancellationToken cancellationToken)
    {
        if (!templateId.StartsWith("tpl_", StringComparison.Ordinal) || !StorageKeys.IsSafeKey(templateId))
        {
            return null;
        }

        var pointer = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, PointerPrefix + templateId, cancellationToken: cancellationToken);
        if (pointer.HasValue)
        {
            var row = await Table.GetEntityIfExistsAsync<TemplateEntity>(orgId, pointer.Value!.GetString("TemplateKey"), cancellationToken: cancellationToken);
            return row.HasValue ? row.Value : null;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey lt {TemplatesEnd} and TemplateId eq {templateId}");
        await foreach (var legacy in Table.QueryAsync<TemplateEntity>(filter, maxPerPage: 1, cancellationToken: cancellationToken))
        {
            return legacy;
        }

        return null;
    }

    internal sealed class TemplateEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string TemplateId { get; set; } = "";

        public string Name { get; set; } = "";

        public string Category { get; set; } = "";

        public string Body { get; set; } = "";

        public string Variables { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public string CreatedBy { get; set; } = "";

        public DateTimeOffset? UpdatedAt { get; set; }

        public string? UpdatedBy { get; set; }

        public void Apply(CreateTemplateRequest request)
        {
            Name = request.Name.Trim();
            Category = string.IsNullOrWhiteSpace(request.Category) ? "general" : request.Category.Trim();
            Body = request.Body;
            Variables = string.Join('\n', TemplateParser.Parse(request.Body).Variables);
        }

        public TemplateResponse ToResponse() =>
            new(TemplateId, Name, Category, Body, Variables.Length == 0 ? [] : Variables.Split('\n'), CreatedAt, CreatedBy, UpdatedAt, UpdatedBy);
    }
}
