using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comx.Core.Identity;
using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Identity;

/// <summary>The verified vectors V1–V4 of reference/webhooks-auth.md §1, their edges, and signatures made by the npm svix package.</summary>
public sealed class SvixSignatureTests
{
    private const string SecretV1 = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SecretB = "whsec_IkK0FiKjAjLF9Ey8QGFI0/c9DLHX/Y72";

    private const string IdV1 = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long TsV1 = 1614265330;
    private const string BodyV1 = """{"test": 2432232314}""";
    private const string SigV1 = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private const string IdV2 = "msg_2uniCodeVector000000000002";
    private const long TsV2 = 1735689600;
    private const string BodyV2 = "{\n  \"type\": \"user.updated\",\n  \"data\": {\n    \"first_name\": \"Zoë\",\n    \"last_name\": \"Ångström-Łukasz\",\n    \"city\": \"Zürich 東京\",\n    \"emoji\": \"🚀\"\n  }\n}";
    private const string SigV2 = "v1,Swc2/8dEPW73pBubNXDcZvIeZ+RCkdACmcuJhoNwM3A=";

    private const string IdV3 = "msg_2rotationVector0000000003";
    private const long TsV3 = 1735689900;
    private const string BodyV3 = """{"type":"organization.updated","data":{"id":"org_2abc","name":"Acme","slug":"acme"}}""";
    private const string SigV3First = "v1,52C7YBPWclIkRiy1B1Wobk24nGCkOczOszhN9FffwFo=";
    private const string SigV3Second = "v1,dDRk+bai5gKnkvhWeZjR72PEsZ2YWsVL5g+zKpCe1ns=";

    private const string IdV4 = "msg_2tamperVector00000000004";
    private const long TsV4 = 1735690200;
    private const string BodyV4Signed = """{"type":"user.deleted","data":{"deleted":true,"id":"user_2abc","object":"user"}}""";
    private const string BodyV4Delivered = """{"type":"user.deleted","data":{"deleted":true,"id":"user_2abd","object":"user"}}""";
    private const string SigV4 = "v1,I1mPe7PpcuXNQhV6eTYWM5+BqngZxqIcT0YrCKgTMxc=";

    private static SvixSignature Verifier(long nowSeconds, params string[] secrets) =>
        new(secrets, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(nowSeconds)));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void VectorV1_SvixDocsVector_IsValid() =>
        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV1, SecretV1).Verify(IdV1, "1614265330", SigV1, Utf8(BodyV1)));

    [Fact]
    public void VectorV2_UnicodeBody_IsValidOverItsExactBytes()
    {
        var body = Utf8(BodyV2);
        Assert.Equal(160, body.Length);
        Assert.Equal("dbdb401f63339e55b8bfbf07afceb1b0138caf5bf91ba82692bc5afeab890583", Convert.ToHexStringLower(SHA256.HashData(body)));

        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV2, SecretB).Verify(IdV2, "1735689600", SigV2, body));
    }

    [Fact]
    public void VectorV3_TwoSignatures_SecondMatchesSecretB_FirstAloneDoesNot()
    {
        var verifier = Verifier(TsV3, SecretB);
        Assert.Equal(SvixVerificationResult.Valid, verifier.Verify(IdV3, "1735689900", $"{SigV3First} {SigV3Second}", Utf8(BodyV3)));
        Assert.Equal(SvixVerificationResult.NoMatchingSignature, verifier.Verify(IdV3, "1735689900", SigV3First, Utf8(BodyV3)));
    }

    [Fact]
    public void VectorV3_FirstSignatureWasMadeWithTheV1Key_SoEitherConfiguredSecretPasses()
    {
        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV3, SecretV1).Verify(IdV3, "1735689900", SigV3First, Utf8(BodyV3)));
        // Rotation: both secrets configured, one signature of either suffices.
        var rotating = Verifier(TsV3, SecretV1, SecretB);
        Assert.Equal(SvixVerificationResult.Valid, rotating.Verify(IdV3, "1735689900", SigV3First, Utf8(BodyV3)));
        Assert.Equal(SvixVerificationResult.Valid, rotating.Verify(IdV3, "1735689900", SigV3Second, Utf8(BodyV3)));
    }

    [Fact]
    public void VectorV4_TamperedBody_HasNoMatchingSignature()
    {
        var verifier = Verifier(TsV4, SecretB);
        Assert.Equal(SvixVerificationResult.NoMatchingSignature, verifier.Verify(IdV4, "1735690200", SigV4, Utf8(BodyV4Delivered)));
        Assert.Equal(SvixVerificationResult.Valid, verifier.Verify(IdV4, "1735690200", SigV4, Utf8(BodyV4Signed)));
    }

    [Theory]
    [InlineData(0, SvixVerificationResult.Valid)]
    [InlineData(300, SvixVerificationResult.Valid)]
    [InlineData(-300, SvixVerificationResult.Valid)]
    [InlineData(301, SvixVerificationResult.TooOld)]
    [InlineData(-301, SvixVerificationResult.TooNew)]
    [InlineData(86_400, SvixVerificationResult.TooOld)]
    public void Tolerance_FiveMinutesEitherWay(long nowMinusTimestamp, SvixVerificationResult expected) =>
        Assert.Equal(expected, Verifier(TsV2 + nowMinusTimestamp, SecretB).Verify(IdV2, "1735689600", SigV2, Utf8(BodyV2)));

    [Fact]
    public void Timestamp_IsCheckedBeforeTheSignature()
    {
        // A stale delivery is reported as stale even though its signature is also wrong.
        Assert.Equal(SvixVerificationResult.TooOld, Verifier(TsV4 + 301, SecretB).Verify(IdV4, "1735690200", SigV4, Utf8(BodyV4Delivered)));
    }

    [Fact]
    public void SignedTimestamp_ChangedInTheHeader_HasNoMatchingSignature() =>
        Assert.Equal(SvixVerificationResult.NoMatchingSignature, Verifier(TsV2, SecretB).Verify(IdV2, "1735689601", SigV2, Utf8(BodyV2)));

    [Fact]
    public void SignedId_ChangedInTheHeader_HasNoMatchingSignature() =>
        Assert.Equal(SvixVerificationResult.NoMatchingSignature, Verifier(TsV2, SecretB).Verify(IdV2 + "x", "1735689600", SigV2, Utf8(BodyV2)));

    [Fact]
    public void ValidSignatureRelabelledV1a_IsIgnored()
    {
        var relabelled = "v1a," + SigV2["v1,".Length..];
        Assert.Equal(SvixVerificationResult.NoMatchingSignature, Verifier(TsV2, SecretB).Verify(IdV2, "1735689600", relabelled, Utf8(BodyV2)));
        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV2, SecretB).Verify(IdV2, "1735689600", $"{relabelled} {SigV2}", Utf8(BodyV2)));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("v1")]
    [InlineData("v1,")]
    [InlineData(",")]
    [InlineData("v1,!!!not-base64!!!")]
    [InlineData("v1,Swc2/8dEPW73pBubNXDcZvIeZ+RCkdACmcuJhoNwM3A")]
    [InlineData("v2,Swc2/8dEPW73pBubNXDcZvIeZ+RCkdACmcuJhoNwM3A=")]
    [InlineData("V1,Swc2/8dEPW73pBubNXDcZvIeZ+RCkdACmcuJhoNwM3A=")]
    [InlineData("v1,Swc2/8dEPW73pBubNXDcZvIeZ+RCkdACmcuJhoNwM3A=,extra")]
    public void MalformedEntries_AreSkippedWithoutExceptions(string entry)
    {
        var verifier = Verifier(TsV2, SecretB);
        Assert.Equal(SvixVerificationResult.NoMatchingSignature, verifier.Verify(IdV2, "1735689600", entry, Utf8(BodyV2)));
        Assert.Equal(SvixVerificationResult.Valid, verifier.Verify(IdV2, "1735689600", $"{entry}   {SigV2} {entry}", Utf8(BodyV2)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void NoSecretConfigured_FailsClosed_EvenForAValidDelivery(string secret)
    {
        Assert.Equal(SvixVerificationResult.NoSecretConfigured, Verifier(TsV2).Verify(IdV2, "1735689600", SigV2, Utf8(BodyV2)));
        Assert.Equal(SvixVerificationResult.NoSecretConfigured, Verifier(TsV2, secret).Verify(IdV2, "1735689600", SigV2, Utf8(BodyV2)));
    }

    [Fact]
    public void SecretThatIsNotBase64_IsRefusedAtConstruction() =>
        Assert.Throws<ArgumentException>(() => Verifier(TsV2, "whsec_not base64!"));

    [Fact]
    public void SecretWithoutPrefix_IsTheSameKey() =>
        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV2, SecretB["whsec_".Length..]).Verify(IdV2, "1735689600", SigV2, Utf8(BodyV2)));

    [Theory]
    [InlineData(null, "1735689600", SigV2)]
    [InlineData(IdV2, null, SigV2)]
    [InlineData(IdV2, "1735689600", null)]
    [InlineData("", "1735689600", SigV2)]
    [InlineData(IdV2, "", SigV2)]
    [InlineData(IdV2, "1735689600", "")]
    public void MissingHeader_IsMissingHeaders(string? id, string? timestamp, string? signature) =>
        Assert.Equal(SvixVerificationResult.MissingHeaders, Verifier(TsV2, SecretB).Verify(id, timestamp, signature, Utf8(BodyV2)));

    [Theory]
    [InlineData("abc")]
    [InlineData("-1735689600")]
    [InlineData("+1735689600")]
    [InlineData(" 1735689600")]
    [InlineData("1735689600.0")]
    [InlineData("99999999999999999999999")]
    public void TimestampThatIsNotWholeSeconds_IsInvalidTimestamp(string timestamp) =>
        Assert.Equal(SvixVerificationResult.InvalidTimestamp, Verifier(TsV2, SecretB).Verify(IdV2, timestamp, SigV2, Utf8(BodyV2)));

    [Fact]
    public void BodyReserialisedAfterSigning_Fails()
    {
        // What a framework does when it model-binds the JSON and writes it back out: same data, other bytes.
        using var parsed = JsonDocument.Parse(BodyV2);
        var reserialised = JsonSerializer.SerializeToUtf8Bytes(parsed.RootElement);
        Assert.NotEqual(Utf8(BodyV2), reserialised);
        Assert.Equal(SvixVerificationResult.NoMatchingSignature, Verifier(TsV2, SecretB).Verify(IdV2, "1735689600", SigV2, reserialised));

        var crlf = Utf8(BodyV2.Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Equal(SvixVerificationResult.NoMatchingSignature, Verifier(TsV2, SecretB).Verify(IdV2, "1735689600", SigV2, crlf));
    }

    [Fact]
    public void Headers_SvixNames_AreRead()
    {
        var headers = new HeaderDictionary { ["svix-id"] = IdV2, ["svix-timestamp"] = "1735689600", ["svix-signature"] = SigV2 };
        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV2, SecretB).Verify(headers, Utf8(BodyV2)));
    }

    [Fact]
    public void Headers_WebhookAliases_AreUsedWhenSvixHeadersAreAbsent()
    {
        var headers = new HeaderDictionary { ["webhook-id"] = IdV2, ["webhook-timestamp"] = "1735689600", ["webhook-signature"] = SigV2 };
        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV2, SecretB).Verify(headers, Utf8(BodyV2)));

        // An incomplete svix-* set gives way to the complete webhook-* set, never a mix of the two.
        headers["svix-id"] = "msg_other";
        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV2, SecretB).Verify(headers, Utf8(BodyV2)));
        headers.Remove("webhook-signature");
        Assert.Equal(SvixVerificationResult.MissingHeaders, Verifier(TsV2, SecretB).Verify(headers, Utf8(BodyV2)));
    }

    [Fact]
    public void Headers_RepeatedSignatureHeaders_AreOneListOfEntries()
    {
        var headers = new HeaderDictionary
        {
            ["svix-id"] = IdV3,
            ["svix-timestamp"] = "1735689900",
            ["svix-signature"] = new Microsoft.Extensions.Primitives.StringValues([SigV3First, SigV3Second]),
        };
        Assert.Equal(SvixVerificationResult.Valid, Verifier(TsV3, SecretB).Verify(headers, Utf8(BodyV3)));
    }

    [Fact]
    public void Headers_RepeatedId_IsRefused()
    {
        var headers = new HeaderDictionary
        {
            ["svix-id"] = new Microsoft.Extensions.Primitives.StringValues([IdV2, "msg_other"]),
            ["svix-timestamp"] = "1735689600",
            ["svix-signature"] = SigV2,
        };
        Assert.Equal(SvixVerificationResult.MissingHeaders, Verifier(TsV2, SecretB).Verify(headers, Utf8(BodyV2)));
    }

    [Fact]
    public async Task SignatureFromTheNpmSvixPackage_Verifies()
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var id = "msg_" + Guid.NewGuid().ToString("N");
        const long timestamp = 1735700000;
        var bodies = new[]
        {
            Utf8(BodyV2),
            Utf8("""{"type":"organizationMembership.created","data":{"id":"orgmem_2m","object":"organization_membership","role":"org:admin"}}"""),
        };

        foreach (var body in bodies)
        {
            var (exitCode, header, error) = await Node.RunAsync("tools/sign-svix.mjs", secret, id, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToBase64String(body));
            Assert.True(exitCode == 0, error);
            Assert.StartsWith("v1,", header, StringComparison.Ordinal);

            Assert.Equal(SvixVerificationResult.Valid, Verifier(timestamp + 120, secret).Verify(id, "1735700000", header, body));
            Assert.Equal(SvixVerificationResult.NoMatchingSignature, Verifier(timestamp, SecretB).Verify(id, "1735700000", header, body));
        }
    }
}
