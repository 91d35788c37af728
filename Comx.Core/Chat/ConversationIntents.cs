using System.Text.RegularExpressions;

namespace Comx.Core.Chat;

/// <summary>A message that is conversation rather than a question about the org's information.</summary>
public enum ConversationIntent
{
    None,
    Greeting,
    Thanks,
    Goodbye,
    AskForPerson,
    LeaveMessage,
}

/// <summary>
/// Recognises greetings, thanks, goodbyes, asking for a person and wanting to leave a message, so they are answered
/// as what they are instead of searched ("hi" used to get "I couldn't find a clear answer"). Deliberately narrow: the
/// whole message must be the pleasantry (a greeting followed by a question is a question), and asking for a person
/// must be about talking to one, not a question that mentions staff ("who is the office manager?").
/// </summary>
public static partial class ConversationIntents
{
    public static ConversationIntent Classify(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = Normalise(message);
        if (text.Length == 0 || text.Length > 120)
        {
            return ConversationIntent.None;
        }

        if (AskForPerson().IsMatch(text))
        {
            return ConversationIntent.AskForPerson;
        }

        if (LeaveMessage().IsMatch(text))
        {
            return ConversationIntent.LeaveMessage;
        }

        return Thanks().IsMatch(text) ? ConversationIntent.Thanks
            : Goodbye().IsMatch(text) ? ConversationIntent.Goodbye
            : Greeting().IsMatch(text) ? ConversationIntent.Greeting
            : ConversationIntent.None;
    }

    /// <summary>Lowercase, curly apostrophes straightened, punctuation and emoji dropped, spaces collapsed.</summary>
    private static string Normalise(string message)
    {
        var folded = message.ToLowerInvariant().Replace('\u2019', '\'');
        return Spaces().Replace(NotWordy().Replace(folded, " "), " ").Trim();
    }

    private const string Person = @"(?:a |an |some |one )?(?:real |actual |live |human |member of )?(?:person|human|people|someone|somebody|staff|staff member|member of staff|teacher|agent|adviser|advisor|operator|representative|office|receptionist|human being|you guys)";

    [GeneratedRegex(@"^(?:(?:hi|hello|hey|please|excuse me|um|ok|okay)\s+)*(?:(?:can|could|may|do|would|will) (?:i|we|you) (?:please )?|i (?:want|would like|d like|need|wanna) (?:to )?|i'd like to |let me |please |is it possible to |is there (?:a|any) way (?:to|i can) )?(?:talk|speak|chat|be put through|get through|be connected|connect me)(?: to| with)? " + Person + @"(?: please| now| instead)*$|^(?:" + Person + @"|agent|human|real person|a real person)(?: please)?$|^(?:are you|is this) (?:a )?(?:bot|robot|real person|human)$", RegexOptions.CultureInvariant)]
    private static partial Regex AskForPerson();

    [GeneratedRegex(@"^(?:(?:hi|hello|hey)\s+)?(?:i (?:want|would like|d like|need|wanna) to |can i |could i |may i |i'd like to |how (?:do|can) i )(?:leave|send|write|drop) (?:you |the school |someone )?(?:a |an )?(?:message|enquiry|inquiry|note|question for (?:someone|staff|the office))(?: please)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LeaveMessage();

    [GeneratedRegex(@"^(?:(?:ok|okay|great|brilliant|lovely|perfect|cool|that's great|that s great|that's helpful|that s helpful|that helps|got it)\s*)*(?:thanks?|thank you|thankyou|thx|ta|cheers|many thanks|much appreciated)(?: (?:so much|very much|a lot|loads|again|for (?:your|the|all the) help|for that|for helping|you|bye|goodbye))*$|^(?:ok|okay|great|brilliant|lovely|perfect|that's great|that's helpful|that helps|got it)$", RegexOptions.CultureInvariant)]
    private static partial Regex Thanks();

    [GeneratedRegex(@"^(?:(?:ok|okay|thanks|thank you)\s+)?(?:bye|goodbye|bye bye|see you|see ya|cya|good night|goodnight|have a (?:good|nice|great) (?:day|evening|weekend)|that's all|that s all|that's everything|nothing else)(?: (?:then|now|thanks|for now))*$", RegexOptions.CultureInvariant)]
    private static partial Regex Goodbye();

    [GeneratedRegex(@"^(?:hi|hello|hey|hiya|heya|yo|howdy|greetings|good (?:morning|afternoon|evening|day)|hi there|hello there|hey there)(?: there| (?:everyone|all|team))?(?: (?:how are you|how are you doing|how's it going|how s it going))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Greeting();

    [GeneratedRegex(@"[^a-z0-9' ]+")]
    private static partial Regex NotWordy();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

/// <summary>The reply to a conversational message, and what it offers next.</summary>
public sealed record ConversationReply(string Text, IReadOnlyList<string> SuggestedActions)
{
    public static ConversationReply For(ConversationIntent intent, bool handoffEnabled, bool enquiriesEnabled) => intent switch
    {
        ConversationIntent.Greeting => new("Hello! What would you like to know? You can ask me about anything on our website.", []),
        ConversationIntent.Thanks => new("You're welcome! Is there anything else I can help with?", []),
        ConversationIntent.Goodbye => new("Goodbye, and thanks for getting in touch.", []),
        ConversationIntent.AskForPerson when handoffEnabled => new("Of course. I can pass this conversation to a member of staff.",
            Chat.SuggestedActions.ForFallback(true, enquiriesEnabled)),
        ConversationIntent.AskForPerson when enquiriesEnabled => new("Staff can't chat here at the moment, but you can leave a message and they will get back to you.",
            [Chat.SuggestedActions.Enquiry]),
        ConversationIntent.AskForPerson => new("Staff can't chat here, but you can contact the office directly.", []),
        ConversationIntent.LeaveMessage when enquiriesEnabled => new("Of course. Leave your message and contact details, and staff will get back to you.",
            [Chat.SuggestedActions.Enquiry]),
        ConversationIntent.LeaveMessage when handoffEnabled => new("You can pass your message to a member of staff here.", [Chat.SuggestedActions.Handoff]),
        _ => new("Please contact the office directly.", []),
    };
}
