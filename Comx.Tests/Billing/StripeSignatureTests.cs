using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Comx.Core.Billing;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace Comx.Tests.Billing;

/// <summary>The verified vectors S1–S2 of reference/webhooks-auth.md §2, their edges, and headers made by the npm stripe package.</summary>
public sealed class StripeSignatureTests
{
    private const string Secret = "whsec_79bd93868e08aad7b1a2a9944df2b17b";
    private const string OldSecret = "whsec_299353086e1a452299a07e78e4aced96";

    private const long TsS1 = 1735689600;
    private const string BodyS1 = """{"id":"evt_1RefVectorS1","object":"event","api_version":"2025-03-31.basil","type":"customer.subscription.updated","data":{"object":{"id":"sub_1Ref","object":"subscription","customer":"cus_Ref","status":"active","cancel_at_period_end":false}}}""";
    private const string HeaderS1 = "t=1735689600,v1=6baa4d06a39e2bf861ea8be8b820804938e987a2927716b52853737e1026c5bd";

    private const long TsS2 = 1735690000;
    private const string BodyS2 = """{"id":"evt_1RefVectorS2","object":"event","api_version":"2025-03-31.basil","type":"invoice.payment_failed","data":{"object":{"id":"in_1Ref","object":"invoice","customer":"cus_Ref","status":"open","amount_due":1999}}}""";
    private const string HeaderS2 = "t=1735690000,v1=c86e0b7a4f7a984f9a705c8e5224e13ae3d09f92205e0716f9e8f1e4b98b0c91,v1=417a8453d2f8c9337fe40072df00645e7591193546352dd6fb2b9da033326ad4,v0=7610c1230b670da60c2bc4077e33c2427a3491933ea59a132be97181ab0f8de3";

    private static StripeSignature Verifier(long nowSeconds, params string[] secrets) =>
        new(secrets, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(nowSeconds)));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData(0, StripeSignatureResult.Valid)]
    [InlineData(300, StripeSignatureResult.Valid)]
    [InlineData(-300, StripeSignatureResult.Valid)]
    [InlineData(301, StripeSignatureResult.TooOld)]
    [InlineData(-301, StripeSignatureResult.TooNew)]
    public void VectorS1_ValidWithin300SecondsEitherWay(long nowMinusTimestamp, StripeSignatureResult expected) =>
        Assert.Equal(expected, Verifier(TsS1 + nowMinusTimestamp, Secret).Verify(Utf8(BodyS1), HeaderS1));

    [Fact]
    public void VectorS2_EitherSecretMatchesItsOwnV1()
    {
        Assert.Equal(StripeSignatureResult.Valid, Verifier(TsS2, Secret).Verify(Utf8(BodyS2), HeaderS2));
        Assert.Equal(StripeSignatureResult.Valid, Verifier(TsS2, OldSecret).Verify(Utf8(BodyS2), HeaderS2));
        Assert.Equal(StripeSignatureResult.Valid, Verifier(TsS2, OldSecret, Secret).Verify(Utf8(BodyS2), HeaderS2));
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS2, "whsec_00000000000000000000000000000000").Verify(Utf8(BodyS2), HeaderS2));
    }

    [Fact]
    public void Rotation_EachConfiguredSecretIsTried()
    {
        // S1 is signed with the current secret only; an old secret listed first does not hide it.
        Assert.Equal(StripeSignatureResult.Valid, Verifier(TsS1, OldSecret, Secret).Verify(Utf8(BodyS1), HeaderS1));
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS1, OldSecret).Verify(Utf8(BodyS1), HeaderS1));
    }

    [Fact]
    public void OnlyV0Signature_IsNeverAccepted()
    {
        // v0 is the fake test-mode scheme: even a v0 carrying the correct HMAC must not pass (downgrade).
        var correct = EventUtility.ComputeSignature(Secret, "1735690000", BodyS2);
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS2, Secret).Verify(Utf8(BodyS2), $"t=1735690000,v0={correct}"));
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS2, Secret).Verify(Utf8(BodyS2), "t=1735690000,v0=7610c1230b670da60c2bc4077e33c2427a3491933ea59a132be97181ab0f8de3"));
    }

    [Fact]
    public void KeyIsTheWholeSecretWithPrefix_NotTheStrippedOrDecodedSecret()
    {
        var stripped = Convert.ToHexStringLower(HMACSHA256.HashData(Utf8(Secret["whsec_".Length..]), Utf8($"{TsS1}.{BodyS1}")));
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS1, Secret).Verify(Utf8(BodyS1), $"t={TsS1},v1={stripped}"));

        var whole = Convert.ToHexStringLower(HMACSHA256.HashData(Utf8(Secret), Utf8($"{TsS1}.{BodyS1}")));
        Assert.Equal(HeaderS1, $"t={TsS1},v1={whole}");
    }

    [Fact]
    public void NoSecretConfigured_FailsClosed_EvenForAValidDelivery()
    {
        Assert.Equal(StripeSignatureResult.NoSecretConfigured, Verifier(TsS1).Verify(Utf8(BodyS1), HeaderS1));
        Assert.Equal(StripeSignatureResult.NoSecretConfigured, Verifier(TsS1, "", "  ").Verify(Utf8(BodyS1), HeaderS1));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void MissingHeader_IsMissingHeader(string? header) =>
        Assert.Equal(StripeSignatureResult.MissingHeader, Verifier(TsS1, Secret).Verify(Utf8(BodyS1), header));

    [Theory]
    [InlineData("garbage")]
    [InlineData("v1=6baa4d06a39e2bf861ea8be8b820804938e987a2927716b52853737e1026c5bd")]
    [InlineData("t=,v1=6baa4d06a39e2bf861ea8be8b820804938e987a2927716b52853737e1026c5bd")]
    [InlineData("t=abc,v1=6baa4d06a39e2bf861ea8be8b820804938e987a2927716b52853737e1026c5bd")]
    [InlineData("t=-1735689600,v1=6baa4d06a39e2bf861ea8be8b820804938e987a2927716b52853737e1026c5bd")]
    [InlineData("t=99999999999,v1=6baa4d06a39e2bf861ea8be8b820804938e987a2927716b52853737e1026c5bd")]
    [InlineData("t=1735689600,v1")]
    [InlineData("t=1735689600,,v1=6baa4d06a39e2bf861ea8be8b820804938e987a2927716b52853737e1026c5bd")]
    public void MalformedHeader_IsMalformedHeader_WithoutExceptions(string header) =>
        Assert.Equal(StripeSignatureResult.MalformedHeader, Verifier(TsS1, Secret).Verify(Utf8(BodyS1), header));

    [Fact]
    public void HeaderWithoutV1_HasNoMatchingSignature() =>
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS1, Secret).Verify(Utf8(BodyS1), "t=1735689600"));

    [Fact]
    public void BodyReserialisedAfterSigning_Fails()
    {
        var reserialised = Utf8(JsonNode.Parse(BodyS1)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS1, Secret).Verify(reserialised, HeaderS1));
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS1, Secret).Verify(Utf8(BodyS1 + "\n"), HeaderS1));
    }

    [Fact]
    public void BodyThatIsNotUtf8_HasNoMatchingSignature()
    {
        byte[] body = [.. Utf8(BodyS1[..^2]), 0xC3, 0x28, .. Utf8("}}")];
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(TsS1, Secret).Verify(body, HeaderS1));
    }

    [Fact]
    public async Task HeaderFromTheNpmStripePackage_Verifies()
    {
        var secret = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        const long timestamp = 1735700000;
        var body = Utf8("""{"id":"evt_npm","object":"event","api_version":"2025-03-31.basil","created":1735700000,"type":"checkout.session.completed","data":{"object":{"id":"cs_1","client_reference_id":"org_2c","note":"Zoë 🚀"}}}""");

        var (exitCode, header, error) = await Node.RunAsync("tools/sign-stripe.mjs", secret, timestamp.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(body));
        Assert.True(exitCode == 0, error);
        Assert.StartsWith("t=1735700000,v1=", header, StringComparison.Ordinal);

        Assert.Equal(StripeSignatureResult.Valid, Verifier(timestamp + 299, OldSecret, secret).Verify(body, header));
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verifier(timestamp, Secret).Verify(body, header));
    }

    [Fact]
    public void BasilEvent_IsParsedDespiteTheApiVersionMismatch()
    {
        // The library's own default refuses it: the reason ParseEvent passes throwOnApiVersionMismatch: false.
        Assert.Throws<StripeException>(() => EventUtility.ParseEvent(BodyS1));

        var parsed = StripeSignature.ParseEvent(BodyS1);
        Assert.NotNull(parsed);
        Assert.Equal("evt_1RefVectorS1", parsed.Id);
        Assert.Equal("customer.subscription.updated", parsed.Type);
        Assert.Equal("2025-03-31.basil", parsed.ApiVersion);
        Assert.Equal("sub_1Ref", Assert.IsType<Subscription>(parsed.Data.Object).Id);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"id":"evtn_1","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered"}""")]
    public void ParseEvent_NotASnapshotEvent_IsNull(string json) => Assert.Null(StripeSignature.ParseEvent(json));
}
