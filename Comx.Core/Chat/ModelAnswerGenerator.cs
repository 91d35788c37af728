using System.ClientModel;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Comx.Core.Accessibility;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Comx.Core.Chat;

/// <summary><c>Comx:Ai</c>: an OpenAI-compatible chat model (Azure OpenAI or OpenAI). Unset endpoint: extractive answers.</summary>
public sealed class AiOptions
{
    public const string Section = "Comx:Ai";

    public string? Endpoint { get; set; }

    public string? ApiKey { get; set; }

    public string? Model { get; set; }

    /// <summary>When the model is unavailable, answer extractively instead of 503.</summary>
    public bool FallbackToExtractive { get; set; }

    /// <summary>How long one model call may take before it counts as an outage.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public bool Configured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);
}

/// <summary>
/// Answers with a chat model through Microsoft.Extensions.AI. The model sees the retrieved passages numbered [1]..[n]
/// and is told to answer only from them and to cite them as [n]; citations are checked against what was retrieved
/// (an invented number is dropped) and an answer citing nothing counts as low confidence, so the visitor gets the
/// fallback. Errors and timeouts are a provider outage (or the extractive answer, when configured to fall back).
/// </summary>
public sealed partial class ModelAnswerGenerator(IChatClient chat, IOptions<AiOptions> options, ILogger<ModelAnswerGenerator> logger) : IAnswerGenerator
{
    public async Task<AnswerOutcome> GenerateAsync(AnswerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Passages.Count == 0)
        {
            return new AnswerOutcome.Answered(AnswerTexts.FallbackAnswer(0));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        string text;
        try
        {
            var response = await chat.GetResponseAsync(
                [new ChatMessage(ChatRole.System, SystemPrompt(request.ReadingLevel)), new ChatMessage(ChatRole.User, UserPrompt(request))],
                new ChatOptions { Temperature = 0.1f, MaxOutputTokens = 400 },
                timeout.Token);
            text = response.Text.Trim();
        }
        catch (Exception exception) when (exception is ClientResultException or HttpRequestException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogProviderFailed(logger, exception.GetType().Name);
            return options.Value.FallbackToExtractive
                ? new AnswerOutcome.Answered(await ExtractiveAnswerGenerator.GenerateAsync(request, null, cancellationToken))
                : new AnswerOutcome.ProviderUnavailable("The answer service is unavailable. Retry shortly.");
        }

        var cited = CitationMarker().Matches(text)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Where(n => n >= 1 && n <= request.Passages.Count)
            .Distinct()
            .ToList();
        if (cited.Count == 0 || text.Length == 0)
        {
            return new AnswerOutcome.Answered(AnswerTexts.FallbackAnswer(0.2));
        }

        var clean = CitationMarker().Replace(text, "").Replace("  ", " ", StringComparison.Ordinal).Trim();
        var citations = cited.Select(n => AnswerTexts.CitationOf(request.Passages[n - 1])).DistinctBy(c => c.SourceId + c.Snippet).ToList();
        var confidence = Math.Min(0.95, 0.6 + (0.1 * cited.Count));
        return new AnswerOutcome.Answered(new GeneratedAnswer(clean, citations, confidence, false));
    }

    private static string SystemPrompt(ReadingLevel level)
    {
        var style = level switch
        {
            ReadingLevel.Simplified => " Write for a reader who needs simple language: short sentences, common words, at most three sentences.",
            ReadingLevel.EasyRead => " Write in Easy Read style: one idea per line, very short sentences, everyday words, at most five short lines.",
            _ => "",
        };
        return "You answer visitors' questions for an organisation, using ONLY the numbered passages provided. " +
            "Cite every fact with the passage number in square brackets, like [1]. If the passages do not contain the answer, " +
            "reply exactly: NO_ANSWER. Never invent facts, links or phone numbers. Be brief and friendly." + style;
    }

    private static string UserPrompt(AnswerRequest request)
    {
        var prompt = new StringBuilder();
        for (var i = 0; i < request.Passages.Count; i++)
        {
            var chunk = request.Passages[i].Chunk;
            prompt.Append(CultureInfo.InvariantCulture, $"[{i + 1}] {chunk.Title}{(chunk.Heading is null ? "" : " — " + chunk.Heading)}\n{chunk.Text}\n\n");
        }

        prompt.Append("Question: ").Append(request.Question);
        return prompt.ToString();
    }

    [GeneratedRegex(@"\[(\d{1,2})\]")]
    private static partial Regex CitationMarker();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The chat model call failed ({ErrorType}); treated as a provider outage.")]
    private static partial void LogProviderFailed(ILogger logger, string errorType);
}
