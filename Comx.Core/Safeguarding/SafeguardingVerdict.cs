namespace Comx.Core.Safeguarding;

/// <summary>
/// What a visitor message is about, when it escalates: the concerns of Keeping Children Safe in Education (DfE)
/// that a child may disclose. Serialised snake_case (<c>self_harm</c>, <c>forced_marriage</c>).
/// </summary>
public enum SafeguardingCategory
{
    /// <summary>Self-harm, suicide and suicidal ideation.</summary>
    SelfHarm,

    /// <summary>A disclosure of abuse or of being unsafe whose kind the words do not say ("I'm being abused").</summary>
    Abuse,

    /// <summary>One of the organisation's own escalation terms.</summary>
    Custom,

    PhysicalAbuse,

    EmotionalAbuse,

    SexualAbuse,

    Neglect,

    EatingDisorder,

    /// <summary>Bullying and cyberbullying (child-on-child abuse).</summary>
    Bullying,

    /// <summary>Domestic abuse the child lives with or witnesses.</summary>
    DomesticAbuse,

    /// <summary>Child sexual and criminal exploitation, county lines included.</summary>
    Exploitation,

    /// <summary>Online grooming, sharing nudes under pressure and sextortion.</summary>
    Grooming,

    /// <summary>Radicalisation and extremism (Prevent).</summary>
    Radicalisation,

    /// <summary>Female genital mutilation.</summary>
    Fgm,

    ForcedMarriage,

    Homelessness,

    /// <summary>Serious violence, gangs and knife crime.</summary>
    SeriousViolence,
}

/// <summary>Which layer of the detector raised an escalation. Serialised snake_case.</summary>
public enum SafeguardingLayer
{
    /// <summary>One of the organisation's own escalation terms.</summary>
    Terms,

    /// <summary>The built-in phrase patterns (fast, explainable: the phrase says why).</summary>
    Patterns,

    /// <summary>Similarity to the built-in example disclosures, by the local sentence-embedding model.</summary>
    Embeddings,

    /// <summary>The configured AI model, asked whether the message is a disclosure.</summary>
    Model,
}

/// <summary>What <see cref="SafeguardingMatcher"/> decided about one visitor message.</summary>
public abstract record SafeguardingVerdict
{
    private SafeguardingVerdict()
    {
    }

    /// <summary>Nothing matched: answer as usual.</summary>
    public sealed record Clear : SafeguardingVerdict
    {
        internal static readonly Clear Instance = new();
    }

    /// <summary>The message contains one of the organisation's blocked terms (<c>Term</c> as the policy spells it).</summary>
    public sealed record Blocked(string Term) : SafeguardingVerdict;

    /// <summary>
    /// The message may be a safeguarding disclosure: answer with the escalation message, flag the thread, hand it to
    /// staff, raise <c>safeguarding.alert</c>. <c>Phrase</c> is what fired: the words that matched a pattern, the
    /// organisation's term, the nearest example disclosure, or the model's label.
    /// </summary>
    public sealed record Escalated(SafeguardingCategory Category, string Phrase, SafeguardingLayer DetectedBy = SafeguardingLayer.Patterns)
        : SafeguardingVerdict;
}
