using System.Security.Cryptography;
using Comx.Core.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Comx.Tests.Identity;

public sealed class ClerkOptionsTests
{
    private const string Secret = "whsec_IkK0FiKjAjLF9Ey8QGFI0/c9DLHX/Y72";

    private static readonly string Pem = CreatePem(2048);

    private static string CreatePem(int bits)
    {
        using var rsa = RSA.Create(bits);
        return rsa.ExportSubjectPublicKeyInfoPem();
    }

    private static ServiceProvider Compose(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        // The registration the lead adds to AddComxCore.
        services.AddOptions<ClerkOptions>().Bind(configuration.GetSection(ClerkOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClerkOptions>, ClerkOptionsValidator>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Comx:Clerk:WebhookSecret"] = Secret,
        ["Comx:Clerk:Issuer"] = "https://clerk.ex.com",
        ["Comx:Clerk:JwtPublicKey"] = Pem,
    };

    [Fact]
    public void Binding_ReadsListsAndTheKey()
    {
        var settings = Valid();
        settings["Comx:Clerk:WebhookSecret"] = $"{Secret}, whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        settings["Comx:Clerk:AuthorizedParties"] = "https://app.ex.com/, http://localhost:3000";
        using var provider = Compose(settings);
        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptions<ClerkOptions>>().Value;
        Assert.Equal([Secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], options.WebhookSecrets);
        Assert.Equal(["https://app.ex.com", "http://localhost:3000"], options.AuthorizedPartyList);
        Assert.Equal(Pem.Trim(), options.JwtPublicKeyPem);
    }

    [Fact]
    public void PemWithEscapedNewlines_AsEnvironmentVariablesOftenHoldIt_IsAccepted()
    {
        var settings = Valid();
        settings["Comx:Clerk:JwtPublicKey"] = Pem.Trim().Replace("\n", "\\n", StringComparison.Ordinal);
        using var provider = Compose(settings);
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(Pem.Trim(), provider.GetRequiredService<IOptions<ClerkOptions>>().Value.JwtPublicKeyPem);
    }

    [Fact]
    public void JwksUrlInsteadOfPem_IsAccepted()
    {
        var settings = Valid();
        settings.Remove("Comx:Clerk:JwtPublicKey");
        settings["Comx:Clerk:JwksUrl"] = "https://clerk.ex.com/.well-known/jwks.json";
        using var provider = Compose(settings);
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("Comx:Clerk:WebhookSecret", null)]
    [InlineData("Comx:Clerk:WebhookSecret", " , ")]
    [InlineData("Comx:Clerk:WebhookSecret", "whsec_not base64!")]
    [InlineData("Comx:Clerk:Issuer", null)]
    [InlineData("Comx:Clerk:Issuer", "clerk.ex.com")]
    [InlineData("Comx:Clerk:Issuer", "http://clerk.ex.com")]
    [InlineData("Comx:Clerk:JwtPublicKey", null)]
    [InlineData("Comx:Clerk:JwtPublicKey", "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----")]
    [InlineData("Comx:Clerk:AuthorizedParties", "app.ex.com")]
    [InlineData("Comx:Clerk:AuthorizedParties", "https://app.ex.com/path")]
    public void MissingOrMalformedSetting_FailsAtStart(string key, string? value)
    {
        var settings = Valid();
        settings[key] = value;
        using var provider = Compose(settings);
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Comx:Clerk:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortRsaKey_FailsAtStart()
    {
        var result = new ClerkOptionsValidator().Validate(null, new ClerkOptions { WebhookSecret = Secret, Issuer = "https://clerk.ex.com", JwtPublicKey = CreatePem(1024) });
        Assert.True(result.Failed);
    }

    [Theory]
    [InlineData("http://clerk.ex.com/.well-known/jwks.json")]
    [InlineData("/.well-known/jwks.json")]
    public void JwksUrlThatIsNotHttps_FailsAtStart(string url)
    {
        var result = new ClerkOptionsValidator().Validate(null, new ClerkOptions { WebhookSecret = Secret, Issuer = "https://clerk.ex.com", JwksUrl = url });
        Assert.True(result.Failed);
    }

    [Fact]
    public void JwksUrlOnLoopbackOverHttp_IsAllowedForLocalRuns()
    {
        var result = new ClerkOptionsValidator().Validate(null, new ClerkOptions { WebhookSecret = Secret, Issuer = "https://clerk.ex.com", JwksUrl = "http://127.0.0.1:5000/jwks.json" });
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("org:admin", "org:admin")]
    [InlineData("admin", "org:admin")]
    [InlineData("org:member", "org:member")]
    [InlineData("member", "org:member")]
    [InlineData("basic_member", "org:member")]
    [InlineData("org:basic_member", "org:member")]
    [InlineData("teacher", "org:teacher")]
    [InlineData("org:teacher", "org:teacher")]
    [InlineData(" admin ", "org:admin")]
    [InlineData("", null)]
    [InlineData("org:", null)]
    [InlineData(null, null)]
    public void Roles_AreNormalisedToTheOrgPrefix(string? role, string? expected) => Assert.Equal(expected, ClerkRoles.Normalize(role));
}
