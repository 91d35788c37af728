using System.Net.Mail;
using Comx.Core.Events;
using Comx.Core.Http;

namespace Comx.Core.Notifications;

/// <summary>The event types staff can be e-mailed about (api.md: <c>PUT /org/v1/notifications</c>).</summary>
public static class NotifiableEvents
{
    public static readonly IReadOnlyList<string> All = [EventTypes.HandoffRequested, EventTypes.SafeguardingAlert, EventTypes.EnquiryCreated, EventTypes.IngestFailed];
}

/// <summary>Whether e-mail can be sent at all: <c>configured</c> when SMTP is set up, else <c>not_configured</c> (recorded, never sent).</summary>
public static class EmailStatus
{
    public const string Configured = "configured";
    public const string NotConfigured = "not_configured";

    public static string Of(SmtpOptions options) => options?.Configured == true ? Configured : NotConfigured;
}

/// <summary>One recipient and the events they are e-mailed about.</summary>
public sealed record NotificationRecipient(string Email, IReadOnlyList<string> Events);

public sealed record PutNotificationsRequest(IReadOnlyList<NotificationRecipient> Recipients) : IValidatable
{
    public const int MaxRecipients = 20;

    public IEnumerable<FieldError> Validate()
    {
        if (Recipients is null)
        {
            yield return new FieldError("recipients", "recipients is a list (empty to e-mail nobody).");
            yield break;
        }

        if (Recipients.Count > MaxRecipients)
        {
            yield return new FieldError("recipients", $"At most {MaxRecipients} recipients.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Recipients.Count; i++)
        {
            var recipient = Recipients[i];
            if (recipient is null)
            {
                yield return new FieldError($"recipients[{i}]", "Each recipient is {email, events}.");
                continue;
            }

            if (!IsEmail(recipient.Email))
            {
                yield return new FieldError($"recipients[{i}].email", "email is one e-mail address (name@example.org).");
            }
            else if (!seen.Add(recipient.Email.Trim()))
            {
                yield return new FieldError($"recipients[{i}].email", "Each address appears once; list all its events together.");
            }

            if (recipient.Events is null || recipient.Events.Count == 0)
            {
                yield return new FieldError($"recipients[{i}].events", $"events lists at least one of: {string.Join(", ", NotifiableEvents.All)}.");
                continue;
            }

            for (var j = 0; j < recipient.Events.Count; j++)
            {
                if (recipient.Events[j] is not { } name || !NotifiableEvents.All.Contains(name, StringComparer.Ordinal))
                {
                    yield return new FieldError($"recipients[{i}].events[{j}]", $"Unknown notification event '{recipient.Events[j]}'. Known: {string.Join(", ", NotifiableEvents.All)}.");
                }
            }
        }
    }

    /// <summary>One plain address (no display name, no list), at most 254 characters.</summary>
    public static bool IsEmail(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 254 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || value.Contains(',', StringComparison.Ordinal))
        {
            return false;
        }

        return MailAddress.TryCreate(value, out var parsed) && parsed.Address == value && parsed.DisplayName.Length == 0 && parsed.Host.Contains('.', StringComparison.Ordinal);
    }
}

/// <summary>One e-mail of an event to one recipient, as the settings page shows it: sent, failed (with why) or waiting.</summary>
public sealed record NotificationSend(string DeliveryId, string EventId, string EventType, string Recipient, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>
/// The organisation's notification settings, whether e-mail is configured (<c>email</c>: <c>configured</c> or
/// <c>not_configured</c>: then sends are recorded as skipped and nothing is sent), and the latest sends, newest first.
/// </summary>
public sealed record NotificationsResponse(IReadOnlyList<NotificationRecipient> Recipients, string Email, IReadOnlyList<NotificationSend> RecentSends);

/// <summary>Whether the app can send e-mail notifications (part of <c>GET /org/v1/me</c>).</summary>
public sealed record NotificationsStatus(string Email);
