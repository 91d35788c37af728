namespace Comx.Core.Safeguarding;

/// <summary>What a visitor message is about, when it escalates. Serialised snake_case (<c>self_harm</c>).</summary>
public enum SafeguardingCategory
{
    /// <summary>Suicide or self-harm, from the default lexicon.</summary>
    SelfHarm,

    /// <summary>A disclosure of abuse or of being unsafe, from the default lexicon.</summary>
    Abuse,

    /// <summary>One of the organisation's own escalation terms.</summary>
    Custom,
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
    /// The message may be a safeguarding disclosure: answer with the escalation message, flag the thread, raise
    /// <c>safeguarding.alert</c>. <c>Phrase</c> is the lexicon phrase or the organisation's term that matched.
    /// </summary>
    public sealed record Escalated(SafeguardingCategory Category, string Phrase) : SafeguardingVerdict;
}
