using Comx.Core.Http;

namespace Comx.Core.Safeguarding;

/// <summary>
/// An organisation's safeguarding policy: the body of <c>PUT /org/v1/safeguarding</c> and what <c>GET</c> returns.
/// Every member has a default, so <c>new SafeguardingPolicy()</c> is the policy of an organisation that has not set
/// one, and a PUT that leaves a member out resets it to its default.
/// </summary>
public sealed record SafeguardingPolicy : IValidatable
{
    public const int MaxTerms = 200;
    public const int MaxTermLength = 100;
    public const int MaxBlockMessageLength = 500;
    public const int MaxEscalationMessageLength = 1000;
    public const int MaxContactNameLength = 100;
    public const int MaxEmailLength = 254;

    public const string DefaultBlockMessage =
        "Sorry, I can't help with that message. Please try asking in a different way, or ask to speak to a member of staff.";

    /// <summary>
    /// The default signposting. It claims nothing about who was told: <see cref="SafeguardingReply"/> adds the one
    /// sentence that is true for this organisation at the time.
    /// </summary>
    public const string DefaultEscalationMessage =
        "Thank you for telling me. It sounds like things might be really hard right now, and you don't have to deal " +
        "with this on your own. " + SafeguardingReply.Signposting;

    /// <summary>Terms that refuse a message (COMX_POLICY_BLOCK with <see cref="BlockMessage"/>).</summary>
    public IReadOnlyList<string> BlockedTerms { get; init; } = [];

    /// <summary>The organisation's own terms that escalate a message, on top of the default lexicon.</summary>
    public IReadOnlyList<string> EscalationTerms { get; init; } = [];

    /// <summary>Whether the built-in self-harm, suicide and abuse-disclosure phrases escalate too.</summary>
    public bool UseDefaultLexicon { get; init; } = true;

    /// <summary>The named safeguarding lead alerts go to; null until the organisation names one.</summary>
    public SafeguardingContact? Contact { get; init; }

    public string BlockMessage { get; init; } = DefaultBlockMessage;

    public string EscalationMessage { get; init; } = DefaultEscalationMessage;

    /// <summary>Whether emails and phone numbers are redacted from stored transcripts (<see cref="PiiRedactor"/>).</summary>
    public bool RedactPii { get; init; } = true;

    public IEnumerable<FieldError> Validate()
    {
        foreach (var error in ValidateTerms("blocked_terms", BlockedTerms))
        {
            yield return error;
        }

        foreach (var error in ValidateTerms("escalation_terms", EscalationTerms))
        {
            yield return error;
        }

        if (Contact is not null)
        {
            if (string.IsNullOrWhiteSpace(Contact.Name))
            {
                yield return new FieldError("contact.name", "contact.name is required.");
            }
            else if (Contact.Name.Length > MaxContactNameLength)
            {
                yield return new FieldError("contact.name", $"contact.name must be at most {MaxContactNameLength} characters.");
            }

            if (!IsEmail(Contact.Email))
            {
                yield return new FieldError("contact.email", "contact.email must be an email address such as safeguarding@example.org.");
            }
        }

        if (Message("block_message", BlockMessage, MaxBlockMessageLength) is { } blockError)
        {
            yield return blockError;
        }

        if (Message("escalation_message", EscalationMessage, MaxEscalationMessageLength) is { } escalationError)
        {
            yield return escalationError;
        }
    }

    private static IEnumerable<FieldError> ValidateTerms(string field, IReadOnlyList<string> terms)
    {
        if (terms.Count > MaxTerms)
        {
            yield return new FieldError(field, $"{field} may hold at most {MaxTerms} terms.");
            yield break;
        }

        for (var i = 0; i < terms.Count; i++)
        {
            var term = terms[i];
            if (string.IsNullOrWhiteSpace(term))
            {
                yield return new FieldError($"{field}[{i}]", "A term must not be empty.");
            }
            else if (term.Length > MaxTermLength)
            {
                yield return new FieldError($"{field}[{i}]", $"A term must be at most {MaxTermLength} characters.");
            }
            else if (SafeguardingText.Normalise(term).Length == 0)
            {
                yield return new FieldError($"{field}[{i}]", "A term must contain at least one letter or digit.");
            }
        }
    }

    private static FieldError? Message(string field, string value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? new FieldError(field, $"{field} is required.")
        : value.Length > maxLength ? new FieldError(field, $"{field} must be at most {maxLength} characters.")
        : null;

    /// <summary>A plain address (no display name): one @, a dot-separated local part, a domain with a TLD of letters.</summary>
    private static bool IsEmail(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxEmailLength)
        {
            return false;
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at < 1 || at > 64 || at != value.LastIndexOf('@'))
        {
            return false;
        }

        var local = value[..at];
        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal)
            || !local.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+/=?^_`{|}~.-".Contains(c, StringComparison.Ordinal)))
        {
            return false;
        }

        var labels = value[(at + 1)..].Split('.');
        return labels.Length >= 2
            && labels.All(label => label.Length is >= 1 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-')
                && label.All(c => char.IsLetterOrDigit(c) || c == '-'))
            && labels[^1].Length >= 2 && labels[^1].All(char.IsLetter);
    }
}

/// <summary>The organisation's named safeguarding lead.</summary>
public sealed record SafeguardingContact
{
    public string Name { get; init; } = "";

    public string Email { get; init; } = "";
}
