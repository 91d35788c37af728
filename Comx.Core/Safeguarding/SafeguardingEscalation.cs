using Comx.Core.Deliveries;
using Comx.Core.Events;
using Comx.Core.Notifications;
using Microsoft.Extensions.Options;

namespace Comx.Core.Safeguarding;

/// <summary>
/// The <c>safeguarding.alert</c> payloads of chat and ThinkGuide (<see cref="SafeguardingAlertData"/>): category and layer
/// in snake case, the policy's contact (who is e-mailed as well as the org's recipients), never the child's words.
/// </summary>
public static class SafeguardingAlerts
{
    public static SafeguardingAlertData FromChat(string threadId, string sessionId, string messageId, SafeguardingVerdict.Escalated verdict, SafeguardingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(policy);
        return new(threadId, sessionId, messageId, SafeguardingSources.Chat, null, null, Name(verdict.Category), Name(verdict.DetectedBy), Contact(policy));
    }

    public static SafeguardingAlertData FromThinkGuide(string sessionId, string learnerId, string step, SafeguardingVerdict.Escalated verdict, SafeguardingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(policy);
        return new(null, sessionId, null, SafeguardingSources.ThinkGuide, learnerId, step, Name(verdict.Category), Name(verdict.DetectedBy), Contact(policy));
    }

    private static SafeguardingAlertContact? Contact(SafeguardingPolicy policy) =>
        policy.Contact is { } contact ? new SafeguardingAlertContact(contact.Name, contact.Email) : null;

    private static string Name<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

/// <summary>
/// Whether an escalation reaches a person straight away: e-mail is configured (<see cref="SmtpOptions.Configured"/>)
/// and someone will get the alert (the policy's safeguarding contact, or a notification recipient subscribed to
/// <c>safeguarding.alert</c>), or an active webhook subscription listens for it. What the child is told depends on it
/// (<see cref="SafeguardingReply"/>).
/// </summary>
public sealed class SafeguardingReach(IOptions<SmtpOptions> smtp, NotificationStore notifications, WebhookStore webhooks)
{
    public async Task<bool> SomeoneIsToldAsync(string orgId, SafeguardingPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (smtp.Value.Configured)
        {
            if (!string.IsNullOrWhiteSpace(policy.Contact?.Email))
            {
                return true;
            }

            var recipients = await notifications.GetRecipientsAsync(orgId, cancellationToken);
            if (recipients.Any(r => r.Events.Contains(EventTypes.SafeguardingAlert, StringComparer.Ordinal)))
            {
                return true;
            }
        }

        var hooks = await webhooks.ListAsync(orgId, cancellationToken);
        return hooks.Any(hook => hook.Status == HookStatus.Active && hook.Wants(EventTypes.SafeguardingAlert));
    }
}

/// <summary>
/// What the child reads after a disclosure: the organisation's escalation message, then one sentence that is true
/// (someone will see this only when a notification actually goes out; otherwise no promise, and a nudge to tell a
/// trusted adult), then the UK helplines when the organisation's message names no phone number. Numbers are written
/// plainly; the widget turns them into <c>tel:</c> links.
/// </summary>
public static class SafeguardingReply
{
    public const string Signposting =
        "If you are in danger right now, call 999. You can talk to Childline for free at any time on 0800 1111, or call " +
        "Samaritans free, day or night, on 116 123. An adult who is worried about a child can call the NSPCC on 0808 800 5000.";

    public const string NotifiedSentence =
        "I have passed this on to a member of staff who looks after pupils' safety, so someone will see it.";

    public const string NotNotifiedSentence =
        "This chat cannot alert anyone straight away, so please tell a teacher or another adult you trust as soon as you " +
        "can, or call one of the numbers here.";

    public static string Compose(SafeguardingPolicy policy, bool notified)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var message = policy.EscalationMessage.Trim();
        var truth = notified ? NotifiedSentence : NotNotifiedSentence;
        return message.Any(char.IsAsciiDigit) ? $"{message} {truth}" : $"{message} {truth} {Signposting}";
    }
}
