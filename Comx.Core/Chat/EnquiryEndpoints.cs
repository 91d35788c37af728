using System.Net.Mail;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Events;
using Comx.Core.Http;
using Comx.Core.Inbox;
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

public sealed record EnquiryResponse(string EnquiryId, string Name, string Email, string? Phone, string Message, string? SessionId, string? ThreadId, DateTimeOffset CreatedAt);

/// <summary>Enquiries from the widget's form, stored with their <c>enquiry.created</c> event in one transaction, and listed for staff.</summary>
internal static class EnquiryEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.CreateEnquiry, "POST", Http.Routes.Enquiries, RouteAuth.Public, CreateAsync)
        {
            RequestType = typeof(EnquiryRequest), ResponseType = typeof(EnquiryCreated), SuccessStatus = 201, RateLimit = RateLimitPolicy.PublicEnquiry,
            Summary = "An enquiry from the widget's form (consent required). 5 requests/min per IP.",
        },
        new(RouteNames.ListEnquiries, "GET", Http.Routes.Enquiry, RouteAuth.Org, ListAsync)
        { ResponseType = typeof(ListResponse<EnquiryResponse>), Paged = true, Summary = "Enquiries, newest first." },
    ];

    private static async Task<ApiResult> CreateAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<EnquiryRequest>();
        if (await PublicAccess.ResolveWidgetAsync(context, request.WidgetKey, cancellationToken) is not { } widget)
        {
            return ApiError.NotFound("widget (check widget_key)");
        }

        if (PublicAccess.CheckOrigin(context.Request, widget.Settings) is { } refused)
        {
            return refused;
        }

        string? threadId = null;
        if (request.SessionId is { } sessionId && await context.Service<ChatSessionStore>().GetAsync(sessionId, cancellationToken) is { } session && session.OrgId == widget.OrgId)
        {
            threadId = session.ThreadId;
        }

        var policy = await context.Service<SafeguardingPolicyStore>().GetAsync(widget.OrgId, cancellationToken);
        var message = policy.RedactPii ? PiiRedactor.Redact(request.Message) : request.Message;
        var ids = context.Service<IdGenerator>();
        var now = context.Service<TimeProvider>().GetUtcNow();
        var enquiry = new EnquiryEntity
        {
            PartitionKey = widget.OrgId,
            RowKey = $"e|{StorageKeys.NewestFirst(now)}|{ids.New("enq")}",
            Name = request.Name.Trim(),
            Email = request.Email.Trim(),
            Phone = request.Phone?.Trim(),
            Message = message,
            SessionId = threadId is null ? null : request.SessionId,
            ThreadId = threadId,
            CreatedAt = now,
        };
        var response = enquiry.ToResponse();
        await context.Service<ConversationStore>().AddWithEventsAsync(widget.OrgId, [enquiry],
            [EventRecord.Create(ids, now, new EnquiryCreatedData(response.EnquiryId, response.Name, response.Email, response.Phone, response.Message, response.SessionId,
                response.ThreadId, response.CreatedAt))], cancellationToken);
        return ApiResult.Created(new EnquiryCreated(response.EnquiryId));
    }

    private static async Task<ApiResult> ListAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } error)
        {
            return error;
        }

        var rows = await context.Service<ConversationStore>().ListRowsAsync<EnquiryEntity>(context.Org.OrgId, "e|", page.Value!, cancellationToken);
        return ApiResult.Ok(new ListResponse<EnquiryResponse>([.. rows.Data.Select(r => r.ToResponse())], rows.NextCursor));
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

        public EnquiryResponse ToResponse() => new(RowKey.Split('|')[2], Name, Email, Phone, Message, SessionId, ThreadId, CreatedAt);
    }
}
