namespace Comx.Core;

/// <summary>One setting the app reads at start-up, in environment form (<c>__</c>; <c>:</c> in JSON works the same).</summary>
public sealed record ConfigurationKey(string Name, bool Required, bool Secret, string Meaning);

/// <summary>
/// Every configuration key the app reads (design.md "Configuration"). The infrastructure test checks that the Bicep
/// app settings provide each required key, so infrastructure and code cannot drift apart.
/// </summary>
public static class ConfigurationKeys
{
    public const string Storage = "AzureWebJobsStorage";
    public const string StorageAccountName = "AzureWebJobsStorage__accountName";
    public const string ClerkWebhookSecret = "Comx__Clerk__WebhookSecret";
    public const string ClerkJwtPublicKey = "Comx__Clerk__JwtPublicKey";
    public const string ClerkJwksUrl = "Comx__Clerk__JwksUrl";
    public const string ClerkIssuer = "Comx__Clerk__Issuer";
    public const string ClerkAuthorizedParties = "Comx__Clerk__AuthorizedParties";
    public const string StripeWebhookSecret = "Comx__Stripe__WebhookSecret";
    public const string StripePricePlans = "Comx__Stripe__PricePlans";
    public const string AiEndpoint = "Comx__Ai__Endpoint";
    public const string AiApiKey = "Comx__Ai__ApiKey";
    public const string AiModel = "Comx__Ai__Model";
    public const string AiFallbackToExtractive = "Comx__Ai__FallbackToExtractive";
    public const string AiEmbeddingModel = "Comx__Ai__EmbeddingModel";
    public const string NetworkAllowPrivateTargets = "Comx__Network__AllowPrivateTargets";
    public const string NetworkForwardedHops = "Comx__Network__ForwardedHops";
    public const string SmtpHost = "Comx__Smtp__Host";
    public const string SmtpPort = "Comx__Smtp__Port";
    public const string SmtpUsername = "Comx__Smtp__Username";
    public const string SmtpPassword = "Comx__Smtp__Password";
    public const string SmtpFrom = "Comx__Smtp__From";
    public const string SmtpUseTls = "Comx__Smtp__UseTls";
    public const string DevHostSeedDemo = "Comx__DevHost__SeedDemo";

    public const string DevHostDemoOrgId = "Comx__DevHost__DemoOrgId";

    public static readonly IReadOnlyList<ConfigurationKey> All =
    [
        new(Storage, false, true, "Storage connection string; in Azure, identity-based via AzureWebJobsStorage__accountName instead."),
        new(StorageAccountName, false, false, "Storage account name for identity-based connections (with __credential and __clientId)."),
        new(ClerkWebhookSecret, true, true, "Svix signing secret (whsec_…) of the Clerk webhook endpoint. Several may be given, comma-separated, during rotation."),
        new(ClerkJwtPublicKey, false, false, "PEM public key for Clerk session JWTs (networkless). Either this or the JWKS URL is required."),
        new(ClerkJwksUrl, false, false, "Clerk JWKS URL, used when no PEM key is configured."),
        new(ClerkIssuer, true, false, "Expected iss of session JWTs (the Clerk Frontend API URL)."),
        new(ClerkAuthorizedParties, false, false, "Comma-separated allowed azp values; empty means not checked."),
        new(StripeWebhookSecret, true, true, "Stripe webhook signing secret (whsec_…). Several may be given, comma-separated, during rotation."),
        new(StripePricePlans, true, false, "price_…=pro,price_…=school: which Stripe price gives which plan."),
        new(AiEndpoint, false, false, "OpenAI-compatible endpoint; unset means extractive answers."),
        new(AiApiKey, false, true, "API key for the AI endpoint."),
        new(AiModel, false, false, "Model or deployment name."),
        new(AiFallbackToExtractive, false, false, "true: answer extractively when the model is unavailable instead of 503."),
        new(AiEmbeddingModel, false, false, "Embedding model on the AI endpoint; unset means the local all-MiniLM-L6-v2 embeds in process."),
        new(NetworkAllowPrivateTargets, false, false, "true only for local runs and tests: lets ingestion and deliveries reach private addresses."),
        new(NetworkForwardedHops, false, false, "How many trusted proxies append to X-Forwarded-For (default 1, Azure's front end)."),
        new(SmtpHost, false, false, "SMTP server for e-mail notifications; unset means notifications are recorded but not sent, and /me says so."),
        new(SmtpPort, false, false, "SMTP port (default 587: STARTTLS; 465: implicit TLS)."),
        new(SmtpUsername, false, false, "SMTP user name; unset means no authentication."),
        new(SmtpPassword, false, true, "SMTP password."),
        new(SmtpFrom, false, false, "Sender address of notification e-mails; unset means notifications are not sent."),
        new(SmtpUseTls, false, false, "true (default): TLS to the SMTP server; false only for a local catcher on loopback."),
        new(DevHostSeedDemo, false, false, "DevHost only: seed the demo organisation at start."),

        new(DevHostDemoOrgId, false, false, "DevHost only: the demo organisation's id (default org_demo_hillside)."),
    ];
}
