using Azure;
using RequestContext = Comx.Core.Http.RequestContext;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Templates;

public sealed record CreateTemplateRequest(string Name, string Body, string? Category = null) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 100)
        {
            yield return new FieldError("name", "name is 1 to 100 characters.");
        }

        if (Category is { Length: > 50 })
        {
            yield return new FieldError("category", "category is at most 50 characters.");
        }

        if (string.IsNullOrWhiteSpace(Body) || Body.Length > 10_000)
        {
            yield return new FieldError("body", "body is 1 to 10,000 characters.");
            yield break;
        }

        foreach (var error in TemplateParser.Parse(Body).Errors)
        {
            yield return error;
        }
    }
}

public sealed record TemplateResponse(string TemplateId, string Name, string Category, string Body, IReadOnlyList<string> Variables, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>Reply templates with <c>{{variable}}</c> placeholders, newest first.</summary>
internal static class TemplateEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.ListTemplates, "GET", Http.Routes.Templates, RouteAuth.Org, ListAsync)
        { ResponseType = typeof(ListResponse<TemplateResponse>), Paged = true, Summary = "Templates, newest first." },
        new(RouteNames.CreateTemplate, "POST", Http.Routes.Templates, RouteAuth.Org, CreateAsync)
        {
            RequestType = typeof(CreateTemplateRequest), ResponseType = typeof(TemplateResponse), SuccessStatus = 201,
            Summary = "Creates a template; its {{variables}} are parsed and listed (unbalanced braces or bad names are field errors).",
        },
    ];

    private static async Task<ApiResult> ListAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } error)
        {
            return error;
        }

        var table = context.Service<ComxStorage>().Table(StorageNames.Tables.Templates);
        var rows = await table.QueryPageAsync<TemplateEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {context.Org.OrgId}"), page.Value!, cancellationToken: cancellationToken);
        return ApiResult.Ok(new ListResponse<TemplateResponse>([.. rows.Data.Select(r => r.ToResponse())], rows.NextCursor));
    }

    private static async Task<ApiResult> CreateAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<CreateTemplateRequest>();
        var now = context.Service<TimeProvider>().GetUtcNow();
        var id = context.Service<IdGenerator>().New("tpl");
        var entity = new TemplateEntity
        {
            PartitionKey = context.Org.OrgId,
            RowKey = StorageKeys.NewestFirst(now) + "-" + id,
            TemplateId = id,
            Name = request.Name.Trim(),
            Category = string.IsNullOrWhiteSpace(request.Category) ? "general" : request.Category.Trim(),
            Body = request.Body,
            Variables = string.Join('\n', TemplateParser.Parse(request.Body).Variables),
            CreatedAt = now,
            CreatedBy = context.Org.Stamp,
        };
        await context.Service<ComxStorage>().Table(StorageNames.Tables.Templates).AddEntityAsync(entity, cancellationToken);
        return ApiResult.Created(entity.ToResponse());
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

        public TemplateResponse ToResponse() =>
            new(TemplateId, Name, Category, Body, Variables.Length == 0 ? [] : Variables.Split('\n'), CreatedAt, CreatedBy);
    }
}
