using System.Text.Json;
using Comx.Core.Accessibility;
using Comx.Core.Http;

namespace Comx.Tests.Accessibility;

public sealed class LearnerAccessibilityTests
{
    [Fact]
    public void Defaults_AreStandardAndValid()
    {
        var prefs = new LearnerAccessibility();

        Assert.Equal(ReadingLevel.Standard, prefs.ReadingLevel);
        Assert.Equal(1.0, prefs.FontScale);
        Assert.False(prefs.DyslexiaFont || prefs.HighContrast || prefs.ReduceMotion || prefs.TextToSpeech);
        Assert.Equal("en-GB", prefs.Language);
        Assert.Empty(prefs.Validate());
    }

    [Fact]
    public void Json_IsSnakeCaseAndRoundTrips()
    {
        var prefs = new LearnerAccessibility
        {
            ReadingLevel = ReadingLevel.EasyRead,
            FontScale = 1.5,
            DyslexiaFont = true,
            HighContrast = true,
            ReduceMotion = true,
            TextToSpeech = true,
            Language = "cy",
        };

        var json = ComxJson.Serialize(prefs);

        Assert.Equal(
            """{"reading_level":"easy_read","font_scale":1.5,"dyslexia_font":true,"high_contrast":true,"reduce_motion":true,"text_to_speech":true,"language":"cy"}""",
            json);
        Assert.Equal(prefs, ComxJson.Deserialize<LearnerAccessibility>(json));
    }

    [Fact]
    public void PartialBody_TakesDefaultsForTheRest()
    {
        var prefs = ComxJson.Deserialize<LearnerAccessibility>("""{"reading_level":"simplified"}""");

        Assert.Equal(new LearnerAccessibility { ReadingLevel = ReadingLevel.Simplified }, prefs);
    }

    [Theory]
    [InlineData("""{"reading_level":"hard"}""")]
    [InlineData("""{"reading_level":2}""")]
    [InlineData("""{"font_scale":"big"}""")]
    [InlineData("""{"colour":"red"}""")]
    public void MalformedBody_IsRejectedByTheWireOptions(string json) =>
        Assert.Throws<JsonException>(() => ComxJson.Deserialize<LearnerAccessibility>(json));

    [Theory]
    [InlineData(1.0, true)]
    [InlineData(1.25, true)]
    [InlineData(2.0, true)]
    [InlineData(0.99, false)]
    [InlineData(2.01, false)]
    [InlineData(0, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    public void FontScale_MustBeFromOneToTwo(double scale, bool valid)
    {
        var errors = new LearnerAccessibility { FontScale = scale }.Validate().ToList();

        Assert.Equal(valid ? [] : ["font_scale"], errors.Select(error => error.Field));
    }

    [Theory]
    [InlineData("en", true)]
    [InlineData("en-GB", true)]
    [InlineData("en-gb", true)]
    [InlineData("cy-GB", true)]
    [InlineData("pl", true)]
    [InlineData("es-419", true)]
    [InlineData("zh-Hant-TW", true)]
    [InlineData("sr-Latn", true)]
    [InlineData("de-DE-1996", true)]
    [InlineData("", false)]
    [InlineData("e", false)]
    [InlineData("english", false)]
    [InlineData("en_GB", false)]
    [InlineData("en-", false)]
    [InlineData("en-GB-", false)]
    [InlineData("en GB", false)]
    [InlineData("en-GB\n", false)]
    [InlineData("12", false)]
    public void Language_MustBeALanguageTag(string language, bool valid)
    {
        var errors = new LearnerAccessibility { Language = language }.Validate().ToList();

        Assert.Equal(valid ? [] : ["language"], errors.Select(error => error.Field));
    }

    [Fact]
    public void UndefinedReadingLevel_IsAFieldError()
    {
        var errors = new LearnerAccessibility { ReadingLevel = (ReadingLevel)7, FontScale = 3, Language = "?" }.Validate();

        Assert.Equal(["reading_level", "font_scale", "language"], errors.Select(error => error.Field));
    }
}
