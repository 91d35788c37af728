using System.Net.Mail;
using Comx.Core.Events;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Safeguarding;
using Comx.Core.Storage;
using RequestContext = Comx.Core.Http.RequestContext;

namespace Comx.Core.Chat;

public sealed record EnquiryRequest(string WidgetKey, string Name, string Email, string Message, bool Consent, string? Phone = null, string? SessionId = null) : IValidatable, IPublicScoped
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string IdempotencyScope => WidgetKey;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(WidgetKey))
        {
            yield return new FieldError("widget_key", "widget_key is required.");
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200)
        {
            yield return new FieldError("name", "name is 1 to 200 characters.");
        }

        if (Email.Length > 254 || !MailAddress.TryCreate(Email, out var parsed) || parsed.Address != Email.Trim() || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            yield return new FieldError("email", "email must be an email address, like name@example.org.");
        }

        if (string.IsNullOrWhiteSpace(Message) || Message.Length > 4000)
        {
            yield return new FieldError("message", "message is 1 to 4000 characters.");
        }

        if (Phone is { } phone && (phone.Length > 40 || phone.Count(char.IsAsciiDigit) < 6 || phone.Any(c => !(char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')'))))
        {
            yield return new FieldError("phone", "phone is a telephone number (digits, spaces, +, -, brackets).");
        }

        if (!Consent)
        {
            yield return new FieldError("consent", "consent must be true: the visitor agrees to be contacted about this enquiry.");
        }

        if (SessionId is { } session && !StorageKeys.IsSafeKey(session))
        {
            yield return new FieldError("session_id", "session_id is a chat session id (ses_…).");
        }
    }
}

public sealed record EnquiryCreated(string EnquiryId);

/// <summary>An enquiry as staff see it (and as <c>enquiry.created</c> carries it); <c>status</c> is <c>open</c> or <c>closed</c>.</summary>
public sealed record EnquiryResponse(string EnquiryId, string Name, string Email, string? Phone, string Message, string? SessionId, string? ThreadId, DateTimeOffset CreatedAt,
    string Status = EnquiryStatus.Open, DateTimeOffset? ClosedAt = null);

/// <summary>What the enquiry handlers need, given to them explicitly.</summary>
public sealed record EnquiryServices(EnquiryStore Enquiries, ChatSessionStore Sessions, SafeguardingPolicyStore Policies, WidgetAccess WidgetAccess, IdGenerator Ids, TimeProvider Time);

/// <summary>Enquiries from the widget's form, stored with their <c>enquiry.created</c> event in one transaction; listed, read and closed by staff.</summary>
internal static class EnquiryEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.CreateEnquiry, "POST", Http.Routes.Enquiries, RouteAuth.Public, EndpointServices.With<EnquiryServices>(CreateAsync))
        {
            RequestType = typeof(EnquiryRequest), ResponseType = typeof(EnquiryCreated), SuccessStatus = 201, RateLimit = RateLimitPolicy.PublicEnquiry,
            Summary = "An enquiry from the widget's form (consent required). 5 requests/min per IP.",
        },
        new(RouteNames.ListEnquiries, "GET", Http.Routes.Enquiry, RouteAuth.Org, EndpointServices.With<EnquiryServices>(ListAsync))
        { ResponseType = typeof(ListResponse<EnquiryResponse>), Paged = true, Summary = "Enquiries, newest first." },
        new(RouteNames.GetEnquiry, "GET", Http.Routes.EnquiryById, RouteAuth.Org, EndpointServices.With<EnquiryServices>(GetAsync))
        { ResponseType = typeof(EnquiryResponse), Summary = "One enquiry." },
        new(RouteNames.CloseEnquiry, "POST", Http.Routes.EnquiryClose, RouteAuth.Org, EndpointServices.With<EnquiryServices>(CloseAsync))
        { ResponseType = typeof(EnquiryResponse), Summary = "Closes an enquiry (status closed, closed_at). Closing a closed enquiry returns it unchanged." },
    ];

    private static async Task<ApiResult> CreateAsync(EnquiryServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<EnquiryRequest>();
        if (await services.WidgetAccess.ResolveAsync(request.WidgetKey, cancellationToken) is not { } widget)
        {
            return ApiError.NotFound("widget (check widget_key)");
        }

        if (PublicAccess.CheckOrigin(context.Request, widget.Settings) is { } refused)
        {
            return refused;
        }

        string? threadId = null;
        if (request.SessionId is { } sessionId && await services.Sessions.GetAsync(sessionId, cancellationToken) is { } session && session.OrgId == widget.OrgId)
        {
            threadId = session.ThreadId;
        }

        var policy = await services.Policies.GetAsync(widget.OrgId, cancellationToken);
        var message = policy.RedactPii ? PiiRedactor.Redact(request.Message) : request.Message;
        var ids = services.Ids;
        var now = services.Time.GetUtcNow();
        var enquiry = new EnquiryResponse(ids.New("enq"), request.Name.Trim(), request.Email.Trim(), request.Phone?.Trim(), message,
            threadId is null ? null : request.SessionId, threadId, now);
        await services.Enquiries.AddAsync(widget.OrgId, enquiry,
            [EventRecord.Create(ids, now, new EnquiryCreatedData(enquiry.EnquiryId, enquiry.Name, enquiry.Email, enquiry.Phone, enquiry.Message, enquiry.SessionId,
                enquiry.ThreadId, enquiry.CreatedAt))], cancellationToken);
        return ApiResult.Created(new EnquiryCreated(enquiry.EnquiryId));
    }

    private static async Task<ApiResult> ListAsync(EnquiryServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } error)
        {
            return error;
        }

        var rows = await services.Enquiries.ListAsync(context.Org.OrgId, page.Value!, cancellationToken);
        return ApiResult.Ok(new ListResponse<EnquiryResponse>(rows.Data, rows.NextCursor));
    }

    private static async Task<ApiResult> GetAsync(EnquiryServices services, RequestContext context, CancellationToken cancellationToken) =>
        await services.Enquiries.GetAsync(context.Org.OrgId, context.Value("enquiryId"), cancellationToken) is { } enquiry
            ? ApiResult.Ok(enquiry)
            : ApiError.NotFound("enquiry");

    private static async Task<ApiResult> CloseAsync(EnquiryServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        return await services.Enquiries.CloseAsync(context.Org.OrgId, context.Value("enquiryId"), context.Org.Stamp, now, cancellationToken) is { } enquiry
            ? ApiResult.Ok(enquiry)
            : ApiError.NotFound("enquiry");
    }
}
