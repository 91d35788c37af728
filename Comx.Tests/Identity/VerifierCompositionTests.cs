using Comx.Core.Billing;
using Comx.Core.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Comx.Core;
using Microsoft.Extensions.Options;

namespace Comx.Tests.Identity;

/// <summary>AddComxCore's verifier registrations, built with ValidateOnBuild and validated as at start: secrets fail closed.</summary>
public sealed class VerifierCompositionTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["AzureWebJobsStorage"] = Infrastructure.AzuriteFixture.ConnectionString,
        ["Comx:Clerk:WebhookSecret"] = "whsec_IkK0FiKjAjLF9Ey8QGFI0/c9DLHX/Y72",
        ["Comx:Clerk:Issuer"] = "https://clerk.ex.com",
        ["Comx:Clerk:JwksUrl"] = "http://127.0.0.1:9/.well-known/jwks.json",
        ["Comx:Stripe:WebhookSecret"] = "whsec_79bd93868e08aad7b1a2a9944df2b17b",
        ["Comx:Stripe:PricePlans"] = "price_pro=pro,price_school=school",
    };

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddComxCore(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void Registrations_BuildAndResolve()
    {
        using var provider = Build(Settings);
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.NotNull(provider.GetRequiredService<ClerkSessionValidator>());
        Assert.NotNull(provider.GetRequiredService<SvixSignature>());
        Assert.NotNull(provider.GetRequiredService<StripeSignature>());
    }

    [Theory]
    [InlineData("Comx:Clerk:WebhookSecret")]
    [InlineData("Comx:Stripe:WebhookSecret")]
    public void MissingWebhookSecret_FailsAtStart(string key)
    {
        using var provider = Build(new(Settings) { [key] = null });
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void VerifierRegisteredWithoutItsSecrets_FailsAtBuild()
    {
        // The secrets are a list on purpose: the container cannot fill it in, so a careless registration is loud.
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddSingleton<SvixSignature>().AddSingleton<StripeSignature>();
        Assert.Throws<AggregateException>(() => services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }
}
