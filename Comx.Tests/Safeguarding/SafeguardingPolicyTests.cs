using System.Text.Json;
using Comx.Core.Http;
using Comx.Core.Safeguarding;

namespace Comx.Tests.Safeguarding;

public sealed class SafeguardingPolicyTests
{
    [Fact]
    public void Defaults_AreValidAndSafe()
    {
        var policy = new SafeguardingPolicy();

        Assert.Empty(policy.Validate());
        Assert.True(policy.UseDefaultLexicon);
        Assert.True(policy.RedactPii);
        Assert.Null(policy.Contact);
        Assert.Empty(policy.BlockedTerms);
        Assert.Contains("0800 1111", policy.EscalationMessage, StringComparison.Ordinal);
        Assert.Contains("116 123", policy.EscalationMessage, StringComparison.Ordinal);
        Assert.Contains("999", policy.EscalationMessage, StringComparison.Ordinal);
        Assert.Contains("0808 800 5000", policy.EscalationMessage, StringComparison.Ordinal);
        // The default promises nothing about who was told: SafeguardingReply adds the sentence that is true.
        Assert.DoesNotContain("alerted", policy.EscalationMessage, StringComparison.OrdinalIgnoreCase);
        Assert.True(policy.EscalationMessage.Length <= SafeguardingPolicy.MaxEscalationMessageLength);
    }

    [Fact]
    public void Json_IsSnakeCaseAndRoundTrips()
    {
        var policy = new SafeguardingPolicy
        {
            BlockedTerms = ["scam"],
            EscalationTerms = ["knife"],
            UseDefaultLexicon = false,
            Contact = new SafeguardingContact { Name = "Ms Rivers", Email = "dsl@school.example.org" },
            BlockMessage = "Please keep it kind.",
            RedactPii = false,
        };

        var json = ComxJson.Serialize(policy);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(
            ["blocked_terms", "escalation_terms", "use_default_lexicon", "contact", "block_message", "escalation_message", "redact_pii"],
            document.RootElement.EnumerateObject().Select(property => property.Name));
        Assert.Equal("dsl@school.example.org", document.RootElement.GetProperty("contact").GetProperty("email").GetString());

        var back = ComxJson.Deserialize<SafeguardingPolicy>(json)!;
        Assert.Equal(json, ComxJson.Serialize(back));
        Assert.Equal(["scam"], back.BlockedTerms);
        Assert.Equal(policy.Contact, back.Contact);
    }

    [Fact]
    public void PartialBody_TakesDefaultsForTheRest()
    {
        var policy = ComxJson.Deserialize<SafeguardingPolicy>("""{"blocked_terms":["scam"]}""")!;

        Assert.Equal(["scam"], policy.BlockedTerms);
        Assert.True(policy.UseDefaultLexicon);
        Assert.Equal(SafeguardingPolicy.DefaultEscalationMessage, policy.EscalationMessage);
        Assert.Empty(policy.Validate());
    }

    [Fact]
    public void UnknownMember_IsRejectedByTheWireOptions() =>
        Assert.Throws<JsonException>(() => ComxJson.Deserialize<SafeguardingPolicy>("""{"blocked_term":["x"]}"""));

    [Fact]
    public void BadTerms_NameTheirIndex()
    {
        var policy = ComxJson.Deserialize<SafeguardingPolicy>(
            """{"blocked_terms":["ok", "", "!!!", null], "escalation_terms":["fine", "   "]}""")!;

        var fields = policy.Validate().Select(error => error.Field).ToList();

        Assert.Equal(["blocked_terms[1]", "blocked_terms[2]", "blocked_terms[3]", "escalation_terms[1]"], fields);
    }

    [Fact]
    public void TooManyOrTooLongTerms_AreRejected()
    {
        var tooMany = new SafeguardingPolicy { BlockedTerms = [.. Enumerable.Repeat("word", SafeguardingPolicy.MaxTerms + 1)] };
        var tooLong = new SafeguardingPolicy { EscalationTerms = ["ok", new string('a', SafeguardingPolicy.MaxTermLength + 1)] };

        Assert.Equal("blocked_terms", Assert.Single(tooMany.Validate()).Field);
        Assert.Equal("escalation_terms[1]", Assert.Single(tooLong.Validate()).Field);
    }

    [Theory]
    [InlineData("dsl@school.example.org", true)]
    [InlineData("first.last+safe@sub.school.co.uk", true)]
    [InlineData("not-an-email", false)]
    [InlineData("two@@example.org", false)]
    [InlineData("a@b", false)]
    [InlineData("a@b.c", false)]
    [InlineData("Ms Rivers <dsl@school.org>", false)]
    [InlineData(".dot@school.org", false)]
    [InlineData("dsl@-school.org", false)]
    [InlineData("dsl@school..org", false)]
    [InlineData("", false)]
    public void ContactEmail_IsChecked(string email, bool valid)
    {
        var policy = new SafeguardingPolicy { Contact = new SafeguardingContact { Name = "Ms Rivers", Email = email } };

        var errors = policy.Validate().ToList();

        if (valid)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal("contact.email", Assert.Single(errors).Field);
        }
    }

    [Fact]
    public void EmptyContactAndMessages_NameEachField()
    {
        var policy = ComxJson.Deserialize<SafeguardingPolicy>(
            """{"contact":{}, "block_message":" ", "escalation_message":""}""")!;

        var fields = policy.Validate().Select(error => error.Field).ToList();

        Assert.Equal(["contact.name", "contact.email", "block_message", "escalation_message"], fields);
    }

    [Fact]
    public void OverlongMessagesAndName_AreRejected()
    {
        var policy = new SafeguardingPolicy
        {
            Contact = new SafeguardingContact { Name = new string('n', SafeguardingPolicy.MaxContactNameLength + 1), Email = "a@b.org" },
            BlockMessage = new string('b', SafeguardingPolicy.MaxBlockMessageLength + 1),
            EscalationMessage = new string('e', SafeguardingPolicy.MaxEscalationMessageLength + 1),
        };

        Assert.Equal(["contact.name", "block_message", "escalation_message"], policy.Validate().Select(error => error.Field));
    }
}
