using Comx.Core.Deliveries;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Comx.Core.Notifications;

/// <summary>
/// E-mail recipients as delivery targets: one attempt is one SMTP submission through MailKit. The delivery worker
/// claims, records and retries attempts exactly as for webhooks, so a redelivered queue message sends nothing twice.
/// </summary>
public sealed class EmailTarget(IOptions<SmtpOptions> options, IOptions<DeliveryOptions> deliveryOptions, TimeProvider time) : IDeliveryTarget
{
    public DeliveryKind Kind => DeliveryKind.Email;

    public async Task<AttemptResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var smtp = options.Value;
        if (!smtp.Configured)
        {
            return AttemptResult.Skip(NotificationConsumer.NotConfiguredReason);
        }

        var rendered = NotificationEmails.Render(System.Text.Encoding.UTF8.GetString(delivery.Body.Span));
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From!));
        message.To.Add(MailboxAddress.Parse(delivery.TargetId));
        message.Subject = new string([.. rendered.Subject.Select(c => char.IsControl(c) ? ' ' : c)]);
        // The delivery id makes the Message-Id stable across retries, so a mail system that saw an attempt succeed
        // after we recorded a failure can drop the copy.
        message.MessageId = $"{delivery.DeliveryId}@comxbot";
        message.Headers.Add("X-Comx-Event", delivery.EventType);
        message.Body = new TextPart("plain") { Text = rendered.Text };

        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deliveryOptions.Value.RequestTimeout);
        using var client = new SmtpClient { Timeout = (int)deliveryOptions.Value.RequestTimeout.TotalMilliseconds };
        try
        {
            var security = !smtp.UseTls ? SecureSocketOptions.None : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
            await client.ConnectAsync(smtp.Host!, smtp.Port, security, timeout.Token);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", timeout.Token);
            }

            var response = await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(true, timeout.Token);
            return new AttemptResult(true, 250, Elapsed(started), null, Truncate(response));
        }
        catch (SmtpCommandException e)
        {
            // 5xx is permanent (no such mailbox, say): retrying cannot help. 4xx is "try again later".
            return new AttemptResult(false, (int)e.StatusCode, Elapsed(started), $"The SMTP server refused the message ({(int)e.StatusCode}): {Truncate(e.Message)}",
                Gone: (int)e.StatusCode >= 500);
        }
        catch (Exception e) when (e is SmtpProtocolException or AuthenticationException or ServiceNotConnectedException or IOException
            or System.Net.Sockets.SocketException or SslHandshakeException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(false, null, Elapsed(started), $"Could not reach the SMTP server: {Truncate(e.Message)}");
        }
    }

    public Task OnRecordedAsync(Delivery delivery, AttemptResult? attempt, CancellationToken cancellationToken) => Task.CompletedTask;

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    private static string Truncate(string text) => text.Length > 500 ? text[..500] : text;
}
