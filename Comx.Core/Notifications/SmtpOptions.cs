namespace Comx.Core.Notifications;

/// <summary>
/// <c>Comx:Smtp</c> settings (design.md "Configuration"): the SMTP server e-mail notifications go through. Azure
/// Communication Services, Microsoft 365, Google Workspace and SendGrid all accept SMTP. With no host or sender set,
/// notifications are recorded but not sent.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Comx:Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender address (<c>From</c>), such as <c>comxbot@school.example</c>.</summary>
    public string? From { get; set; }

    /// <summary>True: TLS (implicit on port 465, STARTTLS otherwise). False only for a local catcher on loopback.</summary>
    public bool UseTls { get; set; } = true;

    public bool Configured => !string.IsNullOrWhiteSpace(Host) && !string.IsNullOrWhiteSpace(From);
}
