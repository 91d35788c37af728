namespace Comx.Core.Safeguarding;

/// <summary>
/// The built-in escalation phrases for self-harm and suicide, and for disclosures of abuse, used when a policy has
/// <c>use_default_lexicon</c>. Phrases are written plainly; <see cref="SafeguardingMatcher"/> copes with spelling
/// tricks. They describe the visitor's own situation ("kill myself", "my dad hits me") rather than single topic words
/// ("dying", "kill", "abuse"), so ordinary questions ("I'm dying to know…", "what is your abuse policy?") stay clear.
/// Topic words ("suicide", "self-harm") are not here: <see cref="DisclosurePatterns"/> weighs them against the
/// question or lesson around them. This trie is kept for what it does best, spelling tricks ("k 1 l l my5elf").
/// </summary>
internal static class DefaultLexicon
{
    private static readonly string[] SelfHarm =
    [
        "kill myself", "killing myself", "want to kms", "going to kms",
        "unalive myself", "unaliving myself", "want to unalive", "end my life", "end my own life", "ending my life",
        "end it all", "ending it all", "end it tonight", "take my own life", "taking my own life", "want to die",
        "wanting to die", "wish I was dead", "wish I were dead", "better off dead", "better off without me",
        "nobody would miss me", "no one would miss me", "no reason to live", "nothing to live for",
        "don't want to live", "don't want to be alive", "don't want to be here anymore", "don't want to exist",
        "hurting myself", "hurt myself on purpose", "want to hurt myself",
        "going to hurt myself", "cutting myself", "cut myself on purpose", "want to cut myself", "harming myself",
        "want to harm myself", "hang myself", "hanging myself", "jump off a bridge", "jump in front of a train",
        "take an overdose", "taking an overdose", "took an overdose", "overdose on purpose", "took too many pills",
        "take all my pills", "took all my pills",
    ];

    private static readonly string[] EatingDisorder = ["starving myself", "make myself sick", "making myself sick"];

    private static readonly string[] Abuse =
    [
        "abusing me", "abuses me", "abused me", "being abused", "been abused",
        "not safe at home", "don't feel safe at home", "scared to go home", "afraid to go home",
    ];

    private static readonly string[] SexualAbuse =
    [
        "sexually abused", "raped me", "raping me", "I was raped", "been raped", "molested me", "molesting me",
        "touched me inappropriately", "touches me inappropriately", "touching me inappropriately", "our little secret",
    ];

    private static readonly string[] Grooming =
    [
        "groomed me", "grooming me", "been groomed", "asked me for nudes", "asking me for nudes", "asked me to send nudes",
        "wants me to send nudes", "sent me nudes", "blackmailing me",
    ];

    private static readonly string[] ForcedMarriage = ["forced to marry", "forcing me to marry", "forcing me to get married"];

    // Relations without "my", so "my mum's boyfriend hits me" and "my friend's dad hurts me" match too.
    private static readonly string[] People =
    [
        "he", "she", "they", "someone", "somebody", "a man", "a woman", "an adult", "dad", "father", "mum", "mom",
        "mother", "stepdad", "stepfather", "stepmum", "stepmom", "stepmother", "parents", "brother", "stepbrother",
        "sister", "uncle", "aunt", "auntie", "grandad", "grandpa", "grandma", "nan", "cousin", "teacher", "coach",
        "tutor", "boyfriend", "girlfriend", "partner", "carer", "neighbour",
    ];

    private static readonly string[] Harms =
    [
        "hits me", "hit me", "punches me", "punched me", "kicks me", "kicked me", "slaps me", "slapped me", "chokes me",
        "choked me", "strangles me", "strangled me", "beats me up", "beat me up", "hurts me", "hurt me", "touches me",
        "touched me", "is hitting me", "is hurting me", "is touching me", "keeps hitting me", "keeps hurting me",
        "keeps touching me", "has been hitting me", "has been hurting me", "has been touching me", "locks me in",
        "locked me in",
    ];

    private static readonly string[] Household =
    [
        "my dad", "my father", "my mum", "my mom", "my mother", "my stepdad", "my stepfather", "my stepmum",
        "my stepmom", "my stepmother", "my parents", "my brother", "my uncle", "my boyfriend", "my girlfriend",
        "my partner", "my carer",
    ];

    /// <summary>Every phrase with its category: a few hundred, most of them person × harm ("stepdad hits me").</summary>
    public static IReadOnlyList<(SafeguardingCategory Category, string Phrase)> Entries { get; } =
    [
        .. SelfHarm.Select(phrase => (SafeguardingCategory.SelfHarm, phrase)),
        .. EatingDisorder.Select(phrase => (SafeguardingCategory.EatingDisorder, phrase)),
        .. Abuse.Select(phrase => (SafeguardingCategory.Abuse, phrase)),
        .. SexualAbuse.Select(phrase => (SafeguardingCategory.SexualAbuse, phrase)),
        .. Grooming.Select(phrase => (SafeguardingCategory.Grooming, phrase)),
        .. ForcedMarriage.Select(phrase => (SafeguardingCategory.ForcedMarriage, phrase)),
        .. People.SelectMany(person => Harms.Select(harm =>
            (harm.Contains("touch", StringComparison.Ordinal) ? SafeguardingCategory.SexualAbuse : SafeguardingCategory.PhysicalAbuse, $"{person} {harm}"))),
        .. Household.SelectMany(person => new[] { "scared of", "afraid of", "frightened of" }
            .Select(fear => (SafeguardingCategory.Abuse, $"{fear} {person}"))),
    ];
}
