using System.Text.RegularExpressions;
using Comx.Core.Http;

namespace Comx.Core.Accessibility;

/// <summary>How answers are worded for a learner. Serialised snake_case: <c>standard</c>, <c>simplified</c>, <c>easy_read</c>.</summary>
public enum ReadingLevel
{
    /// <summary>Answers as written.</summary>
    Standard,

    /// <summary>Plainer words, long sentences split, at most three sentences.</summary>
    Simplified,

    /// <summary>One short idea per line, at most five lines.</summary>
    EasyRead,
}

/// <summary>
/// A learner's accessibility preferences: the body of <c>PUT /org/v1/learner-accessibility/{learnerId}</c> and what
/// <c>GET</c> returns. <c>new LearnerAccessibility()</c> is the defaults a learner has before any are stored; a PUT that
/// leaves a member out resets it to its default. The reading level shapes answers (<see cref="ReadingLevelSimplifier"/>);
/// the rest is for the widget.
/// </summary>
public sealed partial record LearnerAccessibility : IValidatable
{
    public const double MinFontScale = 1.0;
    public const double MaxFontScale = 2.0;
    public const string DefaultLanguage = "en-GB";

    public ReadingLevel ReadingLevel { get; init; } = ReadingLevel.Standard;

    /// <summary>Text size relative to the widget's default, from 1.0 to 2.0.</summary>
    public double FontScale { get; init; } = 1.0;

    public bool DyslexiaFont { get; init; }

    public bool HighContrast { get; init; }

    public bool ReduceMotion { get; init; }

    public bool TextToSpeech { get; init; }

    /// <summary>A BCP 47 language tag: language, then optional script, region and variants (<c>en-GB</c>, <c>cy</c>, <c>zh-Hant-TW</c>).</summary>
    public string Language { get; init; } = DefaultLanguage;

    public IEnumerable<FieldError> Validate()
    {
        if (!Enum.IsDefined(ReadingLevel))
        {
            yield return new FieldError("reading_level", "reading_level must be standard, simplified or easy_read.");
        }

        if (!double.IsFinite(FontScale) || FontScale < MinFontScale || FontScale > MaxFontScale)
        {
            yield return new FieldError("font_scale", "font_scale must be from 1.0 to 2.0.");
        }

        if (!IsLanguageTag(Language))
        {
            yield return new FieldError("language", "language must be a BCP 47 language tag such as en-GB or cy.");
        }
    }

    /// <summary>Language (2–3 letters), then optional script (4 letters), region (2 letters or 3 digits) and variants.</summary>
    public static bool IsLanguageTag(string? value) => value is { Length: <= 35 } && LanguageTag().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*\z", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
