using System.Text;
using System.Text.RegularExpressions;
using Comx.Core.Accessibility;
using Comx.Core.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Comx.Core.ThinkGuide;

/// <summary>Who wrote a prompt. Serialised snake_case.</summary>
public enum PromptSource
{
    /// <summary>The deterministic <see cref="ThinkGuideEngine"/>.</summary>
    Engine,

    /// <summary>The configured chat model, within the same stage, after passing <see cref="ThinkGuidePromptCheck"/>.</summary>
    Model,

    /// <summary>The organisation's safeguarding escalation message.</summary>
    Safeguarding,
}

public sealed record WrittenPrompt(string Text, PromptSource Source);

/// <summary>
/// Optionally lets the chat model (<c>Comx:Ai</c>) word a stage's prompt. The model is told the stage's purpose, the
/// learner's question and their own responses, and the engine's prompt as the meaning to keep; what it writes must pass
/// <see cref="ThinkGuidePromptCheck"/>. An unconfigured model, an error, a timeout (<see cref="AiOptions.Timeout"/>) or
/// a failed check all give the engine's prompt: the session never waits on, or depends on, the model.
/// </summary>
public sealed partial class ThinkGuidePromptWriter(IChatClient? chat, IOptions<AiOptions> options, ILogger<ThinkGuidePromptWriter> logger)
{
    /// <summary>The OpenAI-compatible client for <c>Comx:Ai</c>, built as chat builds its own; null when no model is configured.</summary>
    public static IChatClient? CreateClient(AiOptions ai)
    {
        ArgumentNullException.ThrowIfNull(ai);
        if (!ai.Configured)
        {
            return null;
        }

        var client = new OpenAI.Chat.ChatClient(ai.Model, new System.ClientModel.ApiKeyCredential(ai.ApiKey ?? "none"),
            new OpenAI.OpenAIClientOptions { Endpoint = new Uri(ai.Endpoint!), NetworkTimeout = ai.Timeout, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries: 0) });
        return client.AsIChatClient();
    }

    public async Task<WrittenPrompt> WriteAsync(ThinkGuideState state, string enginePrompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (chat is null || state.Stage == ThinkGuideStage.Summary)
        {
            return new WrittenPrompt(enginePrompt, PromptSource.Engine);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        string text;
        try
        {
            var response = await chat.GetResponseAsync(
                [new ChatMessage(ChatRole.System, SystemPrompt(state.Level)), new ChatMessage(ChatRole.User, UserPrompt(state, enginePrompt))],
                new ChatOptions { Temperature = 0.3f, MaxOutputTokens = 120 },
                timeout.Token);
            text = response.Text.Trim();
        }
        // Any failure of an optional helper falls back; only the caller's own cancellation propagates.
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogModelFailed(logger, exception.GetType().Name);
            return new WrittenPrompt(enginePrompt, PromptSource.Engine);
        }

        if (ThinkGuidePromptCheck.Problem(text, state) is { } problem)
        {
            LogModelRejected(logger, state.Stage, problem);
            return new WrittenPrompt(enginePrompt, PromptSource.Engine);
        }

        return new WrittenPrompt(text, PromptSource.Model);
    }

    private static string SystemPrompt(ReadingLevel level)
    {
        var style = level switch
        {
            ReadingLevel.Simplified => " Use simple words and short sentences.",
            ReadingLevel.EasyRead => " Use Easy Read style: very short sentences, one idea per line, everyday words.",
            _ => "",
        };
        return "You help a school learner think through their own question. Write ONE short, friendly question that moves them " +
            "through the current step of their thinking. Never give the answer, a result, a number or a fact they did not write. " +
            "Only ask; you may repeat the learner's own words. Reply with the question only." + style;
    }

    private static string UserPrompt(ThinkGuideState state, string enginePrompt)
    {
        var prompt = new StringBuilder();
        prompt.Append("Learner's question: ").Append(state.Question).Append('\n');
        if (!string.IsNullOrWhiteSpace(state.Subject))
        {
            prompt.Append("Subject: ").Append(state.Subject).Append('\n');
        }

        for (var i = 0; i < state.Responses.Count; i++)
        {
            prompt.Append("Learner (").Append(Goal((ThinkGuideStage)i)).Append("): ").Append(state.Responses[i]).Append('\n');
        }

        prompt.Append("Now ask about: ").Append(Goal(state.Stage)).Append('\n');
        prompt.Append("Keep the meaning of: ").Append(enginePrompt);
        return prompt.ToString();
    }

    private static string Goal(ThinkGuideStage stage) => stage switch
    {
        ThinkGuideStage.Understand => "what the question is asking, in their own words",
        ThinkGuideStage.WhatYouKnow => "what they already know that could help",
        ThinkGuideStage.Plan => "the steps they will take",
        ThinkGuideStage.Try => "trying their plan and showing their working",
        ThinkGuideStage.Check => "how they could check their result",
        _ => "what helped them and what they would change next time",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ThinkGuide model call failed ({ErrorType}); the engine's prompt is used.")]
    private static partial void LogModelFailed(ILogger logger, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "A model-written ThinkGuide prompt for {Stage} failed its check ({Problem}); the engine's prompt is used.")]
    private static partial void LogModelRejected(ILogger logger, ThinkGuideStage stage, string problem);
}

/// <summary>
/// The rules a model-written prompt must pass before a learner sees it: it is a question; it is short for the reading
/// level (characters overall and words per sentence); it contains no number the learner did not write; it has no
/// answer-like phrasing ("the answer is", "equals", "="); and it does not talk about its own instructions.
/// </summary>
public static partial class ThinkGuidePromptCheck
{
    public static int MaxLength(ReadingLevel level) => level switch
    {
        ReadingLevel.EasyRead => 160,
        ReadingLevel.Simplified => 220,
        _ => 320,
    };

    public static int MaxSentenceWords(ReadingLevel level) => level switch
    {
        ReadingLevel.EasyRead => 10,
        ReadingLevel.Simplified => 16,
        _ => 35,
    };

    /// <summary>What is wrong with a candidate prompt, or null when it may be shown.</summary>
    public static string? Problem(string candidate, ThinkGuideState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var text = candidate?.Trim() ?? "";
        if (text.Length == 0)
        {
            return "empty";
        }

        if (text.Length > MaxLength(state.Level))
        {
            return "too_long";
        }

        if (!text.EndsWith('?'))
        {
            return "not_a_question";
        }

        if (SentenceEnd().Split(text).Any(sentence => sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > MaxSentenceWords(state.Level)))
        {
            return "sentence_too_long";
        }

        var learnerText = string.Join('\n', [state.Question, state.Subject ?? "", .. state.Responses]);
        var learnerNumbers = Number().Matches(learnerText).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        if (Number().Matches(text).Any(m => !learnerNumbers.Contains(m.Value)))
        {
            return "new_number";
        }

        if (AnswerLike().IsMatch(text))
        {
            return "answer_like";
        }

        return RuleLeak().IsMatch(text) ? "rule_leak" : null;
    }

    [GeneratedRegex(@"[.?!\n]+")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\d+(?:[.,]\d+)?")]
    private static partial Regex Number();

    [GeneratedRegex(@"[=≈]|\b(?:answer|result|solution)\s+(?:is|was|would\s+be|should\s+be)\b|\b(?:answer|solution)\s*:|\bequals?\b|\bworks\s+out\s+(?:to|as)\b|\bcomes\s+to\b|\bcorrect\s+answer\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerLike();

    [GeneratedRegex(@"\b(?:stage|system|instructions?|prompt|as\s+an\s+ai|language\s+model|not\s+allowed\s+to|(?:can\s*not|can't|can’t)\s+(?:give|tell)|what_you_know)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RuleLeak();
}
