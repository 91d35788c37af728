using System.Text;
using Comx.Core.Deliveries;
using Comx.Core.Events;
using Microsoft.Extensions.Options;

namespace Comx.Core.Notifications;

/// <summary>
/// The e-mail consumer of the event pipeline: one e-mail delivery per notifiable event and recipient (the org's
/// recipients who asked for that event, and for safeguarding alerts also the safeguarding policy's contact). The
/// delivery id is derived from the event and the address, so a repeated dispatch finds the delivery it made; with no
/// SMTP configured the delivery is recorded as skipped and nothing is sent.
/// </summary>
public sealed class NotificationConsumer(NotificationStore store, DeliveryStore deliveries, DeliveryScheduler scheduler, IOptions<SmtpOptions> smtp) : IEventConsumer
{
    public const string NotConfiguredReason = "E-mail is not configured (Comx__Smtp__Host and Comx__Smtp__From): nothing was sent.";

    public async Task ConsumeAsync(string orgId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var notifiable = events.Where(e => NotifiableEvents.All.Contains(e.Type, StringComparer.Ordinal)).ToList();
        if (notifiable.Count == 0)
        {
            return;
        }

        var recipients = await store.GetRecipientsAsync(orgId, cancellationToken);
        var configured = smtp.Value.Configured;
        foreach (var e in notifiable)
        {
            var addresses = recipients.Where(r => r.Events.Contains(e.Type, StringComparer.Ordinal)).Select(r => r.Email).ToList();
            if (e.Type == EventTypes.SafeguardingAlert && SafeguardingContact(e) is { } contact)
            {
                addresses.Add(contact);
            }

            var body = Encoding.UTF8.GetBytes(e.Json);
            foreach (var address in addresses.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var (delivery, created) = await deliveries.AddAsync(orgId, DeliveryKind.Email, address,
                    DeliveryStore.EventDeliveryId(e.EventId, "email|" + address.ToLowerInvariant(), e.CreatedAt), e.EventId, e.Type, null, body,
                    configured ? DeliveryStatus.Pending : DeliveryStatus.Skipped, configured ? null : NotConfiguredReason, cancellationToken: cancellationToken);
                if (created && delivery.Status == DeliveryStatus.Pending)
                {
                    await scheduler.SendAttemptAsync(orgId, delivery.Row, 1, cancellationToken: cancellationToken);
                }
            }
        }
    }

    private static string? SafeguardingContact(StoredEvent e) =>
        NotificationEmails.ReadData<SafeguardingAlertData>(e.Json)?.Contact?.Email is { } email && PutNotificationsRequest.IsEmail(email) ? email : null;
}
