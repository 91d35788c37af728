using System.Security.Cryptography;
using System.Text;
using Comx.Core.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using static Comx.Tests.Identity.ClerkTokens;

namespace Comx.Tests.Identity;

/// <summary>Clerk session JWTs minted by the npm jose package, verified against a PEM key (networkless).</summary>
public sealed class ClerkSessionValidatorTests : IDisposable
{
    private readonly RSA _key = KeyA;
    private readonly FakeTimeProvider _time = new(Now);
    private readonly ServiceProvider _services;

    public ClerkSessionValidatorTests() => _services = Compose(new ClerkOptions
    {
        WebhookSecret = "whsec_IkK0FiKjAjLF9Ey8QGFI0/c9DLHX/Y72",
        Issuer = Issuer,
        JwtPublicKey = _key.ExportSubjectPublicKeyInfoPem(),
        AuthorizedParties = $"{Origin},http://localhost:3000",
    }, _time);

    private ClerkSessionValidator Validator => _services.GetRequiredService<ClerkSessionValidator>();

    /// <summary>What the lead registers in AddComxCore, with the options given directly instead of bound.</summary>
    internal static ServiceProvider Compose(ClerkOptions options, TimeProvider time)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(time);
        services.AddSingleton(Options.Create(options));
        services.AddHttpClient(ClerkSigningKeys.HttpClientName);
        services.AddSingleton<ClerkSigningKeys>();
        services.AddSingleton<ClerkSessionValidator>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public void Dispose() => _services.Dispose();

    private async Task<ClerkSessionResult> ValidateAsync(System.Text.Json.Nodes.JsonObject spec) => await Validator.ValidateAsync(await MintAsync(spec));

    [Fact]
    public async Task V1Token_IsValid_WithOrgAndRole()
    {
        var result = await ValidateAsync(Rs256(_key, V1(), kid: "ins_2x"));
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(new ClerkSession("user_2a", "sess_2b", "org_2c", ClerkRoles.Admin), result.Session);
    }

    [Fact]
    public async Task V2Token_IsValid_WithOrgAndRoleFromTheOClaim()
    {
        var result = await ValidateAsync(Rs256(_key, V2()));
        Assert.Equal(ClerkSessionStatus.Valid, result.Status);
        Assert.Equal(new ClerkSession("user_2a", "sess_2b", "org_2c", ClerkRoles.Admin), result.Session);
    }

    [Fact]
    public async Task Roles_OfBothShapes_AreNormalised()
    {
        var tokens = await MintAsync(
            Rs256(_key, V2().With("o", Claims("""{"id":"org_2c","rol":"basic_member"}"""))),
            Rs256(_key, V2().With("o", Claims("""{"id":"org_2c","rol":"member"}"""))),
            Rs256(_key, V2().With("o", Claims("""{"id":"org_2c","rol":"teacher"}"""))),
            Rs256(_key, V1().With("org_role", "org:member")),
            Rs256(_key, V1().With("org_role", "admin")),
            Rs256(_key, V1().With("org_role", "org:teacher")));

        var roles = new List<string?>();
        foreach (var token in tokens)
        {
            roles.Add((await Validator.ValidateAsync(token)).Session?.Role);
        }

        Assert.Equal(["org:member", "org:member", "org:teacher", "org:member", "org:admin", "org:teacher"], roles);
    }

    [Fact]
    public async Task WrongKey_IsInvalidSignature()
    {
        Assert.Equal(ClerkSessionStatus.InvalidSignature, (await ValidateAsync(Rs256(OtherKey, V1()))).Status);
    }

    [Fact]
    public async Task TamperedPayload_IsInvalidSignature()
    {
        var token = await MintAsync(Rs256(_key, V1()));
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("org_2c", "org_2d", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        Assert.Equal(ClerkSessionStatus.InvalidSignature, (await Validator.ValidateAsync(tampered)).Status);
    }

    [Fact]
    public async Task WrongIssuer_IsRefused()
    {
        var result = await ValidateAsync(Rs256(_key, V1().With("iss", "https://other.clerk.accounts.dev")));
        Assert.Equal(ClerkSessionStatus.WrongIssuer, result.Status);
        Assert.Null(result.Session);
        Assert.Equal(ClerkSessionStatus.WrongIssuer, (await ValidateAsync(Rs256(_key, V1().Without("iss")))).Status);
    }

    [Fact]
    public async Task WrongAuthorizedParty_IsRefused()
    {
        Assert.Equal(ClerkSessionStatus.WrongAuthorizedParty, (await ValidateAsync(Rs256(_key, V1().With("azp", "https://evil.example")))).Status);
        Assert.Equal(ClerkSessionStatus.Valid, (await ValidateAsync(Rs256(_key, V1().With("azp", "http://localhost:3000")))).Status);
    }

    [Fact]
    public async Task AbsentAuthorizedParty_IsAccepted_AsClerkDoes()
    {
        Assert.Equal(ClerkSessionStatus.Valid, (await ValidateAsync(Rs256(_key, V2().Without("azp")))).Status);
    }

    [Fact]
    public async Task NoAuthorizedPartiesConfigured_AnyAzpIsAccepted()
    {
        using var services = Compose(new ClerkOptions { Issuer = Issuer, JwtPublicKey = _key.ExportSubjectPublicKeyInfoPem() }, _time);
        var token = await MintAsync(Rs256(_key, V1().With("azp", "https://anywhere.example")));
        Assert.True((await services.GetRequiredService<ClerkSessionValidator>().ValidateAsync(token)).IsValid);
    }

    [Fact]
    public async Task Expired_IsRefused_AfterFiveSecondsOfSkew()
    {
        var token = await MintAsync(Rs256(_key, V1()));
        _time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(Expires + 5));
        Assert.Equal(ClerkSessionStatus.Valid, (await Validator.ValidateAsync(token)).Status);
        _time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(Expires + 6));
        Assert.Equal(ClerkSessionStatus.Expired, (await Validator.ValidateAsync(token)).Status);
    }

    [Fact]
    public async Task NotYetValid_IsRefused_BeforeFiveSecondsOfSkew()
    {
        var token = await MintAsync(Rs256(_key, V2()));
        var early = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(NotBefore - 6));
        using var services = Compose(new ClerkOptions { Issuer = Issuer, JwtPublicKey = _key.ExportSubjectPublicKeyInfoPem() }, early);
        var validator = services.GetRequiredService<ClerkSessionValidator>();

        Assert.Equal(ClerkSessionStatus.NotYetValid, (await validator.ValidateAsync(token)).Status);
        early.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(NotBefore - 5));
        Assert.Equal(ClerkSessionStatus.Valid, (await validator.ValidateAsync(token)).Status);
    }

    [Fact]
    public async Task NoExpiry_IsMalformed() =>
        Assert.Equal(ClerkSessionStatus.Malformed, (await ValidateAsync(Rs256(_key, V1().Without("exp")))).Status);

    [Fact]
    public async Task AlgNone_IsRefused()
    {
        var token = await MintAsync(Unsigned(V1()));
        Assert.EndsWith(".", token, StringComparison.Ordinal);
        var result = await Validator.ValidateAsync(token);
        Assert.Equal(ClerkSessionStatus.UnsupportedAlgorithm, result.Status);
        Assert.Null(result.Session);
    }

    [Fact]
    public async Task Hs256SignedWithThePublicKeyBytes_IsRefused()
    {
        // The classic confusion attack: the public key, which anyone can fetch, used as an HMAC secret.
        var pem = _key.ExportSubjectPublicKeyInfoPem();
        var tokens = await MintAsync(Hs256(pem, V1()), Hs256(pem + "\n", V1()));
        foreach (var token in tokens)
        {
            Assert.Equal(ClerkSessionStatus.UnsupportedAlgorithm, (await Validator.ValidateAsync(token)).Status);
        }
    }

    [Fact]
    public async Task NoActiveOrganization_IsADistinctOutcome_WithTheUser()
    {
        var tokens = await MintAsync(
            Rs256(_key, V1().Without("org_id", "org_slug", "org_role", "org_permissions")),
            Rs256(_key, V2().Without("o")));
        foreach (var token in tokens)
        {
            var result = await Validator.ValidateAsync(token);
            Assert.Equal(ClerkSessionStatus.NoActiveOrganization, result.Status);
            Assert.False(result.IsValid);
            Assert.Equal(new ClerkSession("user_2a", "sess_2b", null, null), result.Session);
        }
    }

    [Fact]
    public async Task PendingSession_IsRefused() =>
        Assert.Equal(ClerkSessionStatus.PendingSession, (await ValidateAsync(Rs256(_key, V2().With("sts", "pending")))).Status);

    [Fact]
    public async Task MissingUserOrSession_IsMalformed()
    {
        var tokens = await MintAsync(Rs256(_key, V1().Without("sub")), Rs256(_key, V1().Without("sid")), Rs256(_key, V1().With("sub", 42)));
        foreach (var token in tokens)
        {
            Assert.Equal(ClerkSessionStatus.Malformed, (await Validator.ValidateAsync(token)).Status);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.!!!.sig")]
    public async Task Garbage_IsMalformed(string? token) =>
        Assert.Equal(ClerkSessionStatus.Malformed, (await Validator.ValidateAsync(token)).Status);

    [Fact]
    public async Task PemGivenWithEscapedNewlines_Validates()
    {
        using var services = Compose(new ClerkOptions
        {
            Issuer = Issuer,
            JwtPublicKey = _key.ExportSubjectPublicKeyInfoPem().Replace("\n", "\\n", StringComparison.Ordinal),
        }, _time);
        var token = await MintAsync(Rs256(_key, V1()));
        Assert.True((await services.GetRequiredService<ClerkSessionValidator>().ValidateAsync(token)).IsValid);
    }
}
