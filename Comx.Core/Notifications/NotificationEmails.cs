using System.Globalization;
using System.Text;
using System.Text.Json;
using Comx.Core.Events;
using Comx.Core.Http;

namespace Comx.Core.Notifications;

/// <summary>A plain-text e-mail.</summary>
public sealed record EmailMessage(string Subject, string Text);

/// <summary>
/// The e-mail for each notifiable event, rendered from its typed payload. A safeguarding alert says that a concern was
/// raised, its category and where to look, and never quotes the learner: their words stay in the dashboard.
/// </summary>
public static class NotificationEmails
{
    public static EmailMessage Render(string eventJson)
    {
        using var document = JsonDocument.Parse(eventJson);
        var type = document.RootElement.GetProperty("type").GetString();
        var orgId = document.RootElement.GetProperty("org_id").GetString();
        return type switch
        {
            EventTypes.SafeguardingAlert when ReadData<SafeguardingAlertData>(eventJson) is { } alert => Safeguarding(alert),
            EventTypes.HandoffRequested when ReadData<HandoffRequestedData>(eventJson) is { } handoff => Handoff(handoff),
            EventTypes.EnquiryCreated when ReadData<EnquiryCreatedData>(eventJson) is { } enquiry => Enquiry(enquiry),
            EventTypes.IngestFailed when ReadData<IngestFailedData>(eventJson) is { } failed => IngestFailed(failed),
            _ => new EmailMessage($"comxbot: {type}", $"Event {type} in organisation {orgId}. See the dashboard for details."),
        };
    }

    /// <summary>The typed payload of a stored event body, or null when it is not of that shape (an event stored by an older version).</summary>
    public static T? ReadData<T>(string eventJson) where T : class, IEventData
    {
        try
        {
            using var document = JsonDocument.Parse(eventJson);
            return document.RootElement.TryGetProperty("data", out var data) ? data.Deserialize<T>(ComxJson.Options) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static EmailMessage Safeguarding(SafeguardingAlertData alert)
    {
        var category = alert.Category.Replace('_', ' ');
        var text = new StringBuilder()
            .AppendLine("A safeguarding concern was raised in a conversation with the assistant.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Category: {category}")
            .AppendLine(CultureInfo.InvariantCulture, $"Detected by: {alert.DetectedBy}");
        text.AppendLine(alert.ThreadId is { } thread
            ? $"Where to look: inbox thread {thread} (flagged for safeguarding) in the comxbot dashboard."
            : $"Where to look: ThinkGuide session {alert.SessionId}{(alert.LearnerId is { } learner ? $" of learner {learner}" : "")} in the comxbot dashboard.");
        text.AppendLine()
            .AppendLine("The learner's words are not included in this e-mail. Read the conversation in the dashboard and follow your safeguarding procedure.");
        return new EmailMessage($"Safeguarding concern raised ({category})", text.ToString());
    }

    private static EmailMessage Handoff(HandoffRequestedData handoff)
    {
        var who = handoff.RequestedBy == HandoffRequesters.Visitor ? "A visitor" : $"A member of staff ({handoff.RequestedByUserId})";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{who} asked for a person to take over a conversation.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Thread: {handoff.ThreadId}")
            .AppendLine(CultureInfo.InvariantCulture, $"Reason: {handoff.Reason ?? "(none given)"}");
        if (handoff.AssigneeUserId is { } assignee)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Assigned to: {assignee}");
        }

        text.AppendLine().AppendLine("The assistant is paused on this thread until someone resolves it in the inbox.");
        return new EmailMessage("A visitor is waiting for a person", text.ToString());
    }

    private static EmailMessage Enquiry(EnquiryCreatedData enquiry)
    {
        var text = new StringBuilder()
            .AppendLine("A new enquiry arrived from the website's assistant.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"From: {enquiry.Name} <{enquiry.Email}>");
        if (enquiry.Phone is { } phone)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Phone: {phone}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Enquiry: {enquiry.EnquiryId}").AppendLine().AppendLine(enquiry.Message);
        return new EmailMessage($"New enquiry from {enquiry.Name}", text.ToString());
    }

    private static EmailMessage IngestFailed(IngestFailedData failed) => new(
        $"A knowledge source failed to update{(failed.Title is { } title ? $": {title}" : "")}",
        $"""
        Ingest job {failed.JobId} of source {failed.SourceId} failed.

        Error: {failed.Error}

        The assistant keeps answering from the source's last good version. Check the source's health in the dashboard.
        """);
}
