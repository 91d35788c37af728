using Comx.Core.Safeguarding;

namespace Comx.Tests.Safeguarding;

public sealed class PiiRedactorTests
{
    [Theory]
    [InlineData("email me at jo.bloggs@example.co.uk please", "email me at [email] please")]
    [InlineData("(first.last+tag@school.org).", "([email]).")]
    [InlineData("JO@EXAMPLE.ORG, sam@example.org", "[email], [email]")]
    [InlineData("ama@münchen.de", "[email]")]
    public void Emails_AreRedacted(string text, string expected) => Assert.Equal(expected, PiiRedactor.Redact(text));

    [Theory]
    [InlineData("call 07700 900123", "call [phone]")]
    [InlineData("call 07700900123.", "call [phone].")]
    [InlineData("mob: 07700-900-123", "mob: [phone]")]
    [InlineData("ring 020 7946 0958 today", "ring [phone] today")]
    [InlineData("ring (020) 7946 0958", "ring [phone]")]
    [InlineData("0161 496 0000", "[phone]")]
    [InlineData("01632 960001", "[phone]")]
    [InlineData("+44 7700 900123", "[phone]")]
    [InlineData("+44 (0)20 7946 0958", "[phone]")]
    [InlineData("+447700900123", "[phone]")]
    [InlineData("0044 20 7946 0958", "[phone]")]
    [InlineData("+1 (555) 123-4567", "[phone]")]
    [InlineData("(555) 123-4567", "[phone]")]
    [InlineData("555-123-4567", "[phone]")]
    [InlineData("+33 1 23 45 67 89", "[phone]")]
    [InlineData("+49 30 123456", "[phone]")]
    [InlineData("Order 1234 or 07700 900123", "Order 1234 or [phone]")]
    [InlineData("0161 496 0000 - 0161 496 0001", "[phone] - [phone]")]
    public void PhoneNumbers_AreRedacted(string text, string expected) => Assert.Equal(expected, PiiRedactor.Redact(text));

    [Theory]
    [InlineData("The trip costs £12.50 per pupil")]
    [InlineData("£1,250,000.00 raised")]
    [InlineData("Term starts 12/09/2026 at 10:30")]
    [InlineData("Term starts 2026-09-12 10:30")]
    [InlineData("Open 09:00-17:30, Mon-Fri")]
    [InlineData("Your order number is 12345678")]
    [InlineData("Reference #123456789012")]
    [InlineData("Childline 0800 1111, Samaritans 116 123, emergencies 999")]
    [InlineData("Years 2024 2025 2026")]
    [InlineData("Room 12, 3 pupils, 4.5 hours")]
    [InlineData("version 1.2.3.4")]
    [InlineData("no numbers here at all")]
    public void NonPhoneNumbers_AreKept(string text) => Assert.Equal(text, PiiRedactor.Redact(text));

    [Fact]
    public void MixedTranscript_RedactsOnlyContactDetails()
    {
        const string text = "Hi, I'm Sam (sam.p@example.com, 07700 900123). Can I book the 10:30 tour on 12/09/2026? It's £12.50.";

        Assert.Equal("Hi, I'm Sam ([email], [phone]). Can I book the 10:30 tour on 12/09/2026? It's £12.50.", PiiRedactor.Redact(text));
    }

    [Fact]
    public void LongHostileInput_IsLinear()
    {
        var text = new string('a', 200_000) + " " + string.Concat(Enumerable.Repeat("1-", 50_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        PiiRedactor.Redact(text);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed.TotalMilliseconds} ms");
    }
}
