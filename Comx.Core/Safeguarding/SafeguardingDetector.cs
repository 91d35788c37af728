using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Comx.Core.Safeguarding;

/// <summary>
/// The layered default detector. (a) Phrases and patterns (<see cref="SafeguardingMatcher"/>: the organisation's
/// terms, the default lexicon and <see cref="DisclosurePatterns"/>) decide most messages in well under a millisecond.
/// (b) A message they clear that still carries a risk cue is compared with example disclosures per category by the
/// local sentence-embedding model (<see cref="SafeguardingExemplars"/>). (c) When an AI model is configured, a
/// message with a risk cue that neither layer escalated is put to the model as a yes/no safeguarding question.
/// </summary>
/// <remarks>
/// Layers (b) and (c) only ever add escalations: a failure or timeout in either leaves the verdict of the layers
/// before it, so an outage never silences layer (a). A blocked verdict stands only when no layer escalates
/// (escalation beats blocking). Layers (b) and (c) run only when the policy uses the default detector.
/// </remarks>
public sealed partial class SafeguardingDetector(SafeguardingExemplars? exemplars, IChatClient? model, ILogger<SafeguardingDetector> logger)
{
    /// <summary>How long the model check may take before the message goes on with the verdict of layers (a) and (b).</summary>
    public static readonly TimeSpan ModelTimeout = TimeSpan.FromSeconds(8);

    internal const string ModelSystemPrompt =
        "You check messages that children and young people send to a school's chatbot, for a school's designated " +
        "safeguarding lead. Decide whether the message is the writer disclosing a safeguarding concern about themselves " +
        "or a child they live with: abuse (physical, emotional, sexual), neglect, self-harm or suicidal thoughts, an " +
        "eating disorder, bullying, domestic abuse at home, exploitation or county lines, grooming or sextortion, " +
        "radicalisation, FGM, forced marriage, homelessness, or serious violence and knives. Questions about a topic, a " +
        "lesson, a policy or the news, and idioms (\"I could murder a pizza\", \"this exam will be the death of me\") are " +
        "not disclosures. Reply with exactly one word: the category in snake_case (physical_abuse, emotional_abuse, " +
        "sexual_abuse, neglect, self_harm, eating_disorder, bullying, domestic_abuse, exploitation, grooming, " +
        "radicalisation, fgm, forced_marriage, homelessness, serious_violence), or none.";

    public async Task<SafeguardingVerdict> CheckAsync(SafeguardingPolicy policy, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(message);
        var verdict = SafeguardingMatcher.Check(policy, message);
        if (verdict is SafeguardingVerdict.Escalated || !policy.UseDefaultLexicon || !DisclosurePatterns.HasRiskCue(message))
        {
            return verdict;
        }

        if (exemplars is not null && await NearestDisclosureAsync(message, cancellationToken) is { } similar)
        {
            return similar;
        }

        if (model is not null && await AskModelAsync(message, cancellationToken) is { } judged)
        {
            return judged;
        }

        return verdict;
    }

    private async Task<SafeguardingVerdict.Escalated?> NearestDisclosureAsync(string message, CancellationToken cancellationToken)
    {
        try
        {
            return await exemplars!.MatchAsync(message, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogLayerFailed(logger, SafeguardingLayer.Embeddings, exception.GetType().Name);
            return null;
        }
    }

    private async Task<SafeguardingVerdict.Escalated?> AskModelAsync(string message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ModelTimeout);
        try
        {
            var response = await model!.GetResponseAsync(
                [new ChatMessage(ChatRole.System, ModelSystemPrompt), new ChatMessage(ChatRole.User, message)],
                new ChatOptions { Temperature = 0f, MaxOutputTokens = 8 },
                timeout.Token);
            return ParseModelReply(response.Text) is { } category
                ? new SafeguardingVerdict.Escalated(category, "model: " + Enum.GetName(category), SafeguardingLayer.Model)
                : null;
        }
        catch (Exception exception) when (exception is ClientResultException or HttpRequestException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogLayerFailed(logger, SafeguardingLayer.Model, exception.GetType().Name);
            return null;
        }
    }

    /// <summary>The category a model reply names ("self_harm", "Self-harm."), or null for "none" or anything unknown.</summary>
    internal static SafeguardingCategory? ParseModelReply(string? reply)
    {
        var word = new string((reply ?? "").Trim().ToLowerInvariant().Where(c => char.IsAsciiLetter(c) || c is '_' or '-' or ' ').ToArray())
            .Trim().Replace('-', '_').Replace(' ', '_');
        if (word.Length == 0 || word.StartsWith("none", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var category in Enum.GetValues<SafeguardingCategory>())
        {
            if (category is SafeguardingCategory.Custom)
            {
                continue;
            }

            if (word.StartsWith(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(category.ToString()), StringComparison.Ordinal))
            {
                return category;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Safeguarding layer {Layer} failed ({Error}); the message keeps the verdict of the layers before it.")]
    private static partial void LogLayerFailed(ILogger logger, SafeguardingLayer layer, string error);
}
