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

public sealed record TemplateResponse(string TemplateId, string Name, string Category, string Body, IReadOnlyList<string> Variables, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? UpdatedAt = null, string? UpdatedBy = null);

public sealed record RenderTemplateRequest(IReadOnlyDictionary<string, string> Variables) : IValidatable
{
    public const int MaxValue = 4000;

    public IEnumerable<FieldError> Validate()
    {
        if (Variables.Count > 100)
        {
            yield return new FieldError("variables", "At most 100 variables.");
        }

        foreach (var (name, value) in Variables)
        {
            if (name.Length is 0 or > 64 || value.Length > MaxValue)
            {
                yield return new FieldError($"variables.{(name.Length > 64 ? name[..64] : name)}", $"A variable's name is 1 to 64 characters and its value at most {MaxValue}.");
            }
        }
    }
}

public sealed record RenderedTemplate(string Text);

/// <summary>What the template handlers need, given to them explicitly.</summary>
public sealed record TemplateServices(TemplateStore Templates, IdGenerator Ids, TimeProvider Time);

/// <summary>Reply templates with <c>{{variable}}</c> placeholders, newest first: created, listed, changed, deleted and rendered.</summary>
internal static class TemplateEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.ListTemplates, "GET", Http.Routes.Templates, RouteAuth.Org, EndpointServices.With<TemplateServices>(ListAsync))
        { ResponseType = typeof(ListResponse<TemplateResponse>), Paged = true, Summary = "Templates, newest first." },
        new(RouteNames.CreateTemplate, "POST", Http.Routes.Templates, RouteAuth.Org, EndpointServices.With<TemplateServices>(CreateAsync))
        {
            RequestType = typeof(CreateTemplateRequest), ResponseType = typeof(TemplateResponse), SuccessStatus = 201,
            Summary = "Creates a template; its {{variables}} are parsed and listed (unbalanced braces or bad names are field errors).",
        },
        new(RouteNames.UpdateTemplate, "PUT", Http.Routes.Template, RouteAuth.Org, EndpointServices.With<TemplateServices>(UpdateAsync))
        {
            RequestType = typeof(CreateTemplateRequest), ResponseType = typeof(TemplateResponse),
            Summary = "Replaces a template's name, category and body; its variables are parsed again.",
        },
        new(RouteNames.DeleteTemplate, "DELETE", Http.Routes.Template, RouteAuth.Org, EndpointServices.With<TemplateServices>(DeleteAsync))
        { SuccessStatus = 204, Summary = "Deletes a template." },
        new(RouteNames.RenderTemplate, "POST", Http.Routes.TemplateRender, RouteAuth.Org, EndpointServices.With<TemplateServices>(RenderAsync))
        {
            RequestType = typeof(RenderTemplateRequest), ResponseType = typeof(RenderedTemplate),
            Summary = "The template's text with every {{variable}} filled in from variables; a variable the template uses and the request lacks is 400 naming it.",
        },
    ];

    private static async Task<ApiResult> ListAsync(TemplateServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } error)
        {
            return error;
        }

        var rows = await services.Templates.ListAsync(context.Org.OrgId, page.Value!, cancellationToken);
        return ApiResult.Ok(new ListResponse<TemplateResponse>(rows.Data, rows.NextCursor));
    }

    private static async Task<ApiResult> CreateAsync(TemplateServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        var id = services.Ids.New("tpl");
        return ApiResult.Created(await services.Templates.AddAsync(context.Org.OrgId, id, context.BodyAs<CreateTemplateRequest>(), context.Org.Stamp, now, cancellationToken));
    }

    private static async Task<ApiResult> UpdateAsync(TemplateServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        return await services.Templates.UpdateAsync(context.Org.OrgId, context.Value("templateId"), context.BodyAs<CreateTemplateRequest>(),
            context.Org.Stamp, now, cancellationToken) is { } template
            ? ApiResult.Ok(template)
            : ApiError.NotFound("template");
    }

    private static async Task<ApiResult> DeleteAsync(TemplateServices services, RequestContext context, CancellationToken cancellationToken) =>
        await services.Templates.DeleteAsync(context.Org.OrgId, context.Value("templateId"), cancellationToken)
            ? ApiResult.NoContent()
            : ApiError.NotFound("template");

    private static async Task<ApiResult> RenderAsync(TemplateServices services, RequestContext context, CancellationToken cancellationToken)
    {
        if (await services.Templates.GetAsync(context.Org.OrgId, context.Value("templateId"), cancellationToken) is not { } template)
        {
            return ApiError.NotFound("template");
        }

        var (text, missing) = TemplateParser.Render(template.Body, context.BodyAs<RenderTemplateRequest>().Variables);
        return missing.Count == 0
            ? ApiResult.Ok(new RenderedTemplate(text))
            : ApiError.Validation([.. missing.Select(name => new FieldError($"variables.{name}", $"The template uses {{{{{name}}}}}, so variables needs a value for '{name}'."))]);
    }
}
