using Comx.Core.Billing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Comx.Tests.Billing;

public sealed class StripeOptionsTests
{
    private static ServiceProvider Compose(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        // The registration the lead adds to AddComxCore.
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StripeOptions>, StripeOptionsValidator>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    [Fact]
    public void Binding_ReadsSecretsAndPricePlans()
    {
        using var provider = Compose(new()
        {
            ["Comx:Stripe:WebhookSecret"] = " whsec_new , whsec_old ",
            ["Comx:Stripe:PricePlans"] = "price_1Pro=pro, price_1School=school",
        });
        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptions<StripeOptions>>().Value;
        Assert.Equal(["whsec_new", "whsec_old"], options.WebhookSecrets);
        Assert.Equal("pro", options.PricePlanMap["price_1Pro"]);
        Assert.Equal("school", options.PricePlanMap["price_1School"]);
        Assert.Equal(2, options.PricePlanMap.Count);
    }

    [Theory]
    [InlineData(null, "price_1=pro")]
    [InlineData("", "price_1=pro")]
    [InlineData(" , ", "price_1=pro")]
    [InlineData("sk_live_123", "price_1=pro")]
    [InlineData("whsec_", "price_1=pro")]
    [InlineData("whsec_ok", null)]
    [InlineData("whsec_ok", "price_1")]
    [InlineData("whsec_ok", "price_1=")]
    [InlineData("whsec_ok", "=pro")]
    [InlineData("whsec_ok", "price_1=pro,price_1=school")]
    [InlineData("whsec_ok", "price 1=pro")]
    public void MissingOrMalformedSettings_FailAtStart(string? secret, string? plans)
    {
        using var provider = Compose(new() { ["Comx:Stripe:WebhookSecret"] = secret, ["Comx:Stripe:PricePlans"] = plans });
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Comx:Stripe:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingEverything_ReportsEachProblem()
    {
        var result = new StripeOptionsValidator().Validate(null, new StripeOptions());
        Assert.True(result.Failed);
        Assert.Equal(2, result.Failures!.Count());
    }
}
