using Comx.Core.Identity;

namespace Comx.Core.Widget;

/// <summary>The words the visitor sees about staff availability, from the widget settings.</summary>
public static class AwayMessages
{
    public const string DefaultAway = "Our staff are away just now.";
    public const string EnquiryOffer = "You can leave your details with the enquiry form and we'll get back to you.";

    /// <summary>Null while staff are at work (or no hours are set); otherwise the away message, when they are back, and the enquiry offer.</summary>
    public static string? Compose(BusinessHours? hours, string? awayMessage, DateTimeOffset now)
    {
        if (hours is null || hours.At(now) is not { Available: false } availability)
        {
            return null;
        }

        var away = string.IsNullOrWhiteSpace(awayMessage) ? DefaultAway : awayMessage.Trim();
        var back = availability.NextOpeningText is { } when ? $" Staff are back {when} ({hours.Timezone} time)." : "";
        return $"{away}{back} {EnquiryOffer}";
    }
}
