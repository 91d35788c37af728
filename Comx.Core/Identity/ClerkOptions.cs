using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Comx.Core.Identity;

/// <summary><c>Comx:Clerk</c> settings: the webhook secret(s) and how session JWTs are verified.</summary>
public sealed class ClerkOptions
{
    public const string Section = "Comx:Clerk";

    /// <summary>Svix signing secret(s), <c>whsec_…</c>; several comma-separated while rotating.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The Dashboard's "JWKS Public Key" PEM (networkless). When set, <see cref="JwksUrl"/> is not used.</summary>
    public string? JwtPublicKey { get; set; }

    /// <summary>JWKS endpoint, e.g. <c>https://clerk.example.com/.well-known/jwks.json</c>; used when no PEM key is set.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Expected <c>iss</c>: the Clerk Frontend API URL.</summary>
    public string? Issuer { get; set; }

    /// <summary>Comma-separated allowed <c>azp</c> origins; empty means not checked.</summary>
    public string? AuthorizedParties { get; set; }

    public IReadOnlyList<string> WebhookSecrets => SplitList(WebhookSecret);

    public IReadOnlyList<string> AuthorizedPartyList => [.. SplitList(AuthorizedParties).Select(p => p.TrimEnd('/'))];

    /// <summary>The PEM as configured, with literal <c>\n</c> sequences (common in environment variables) turned into line breaks.</summary>
    public string? JwtPublicKeyPem => string.IsNullOrWhiteSpace(JwtPublicKey) ? null : JwtPublicKey.Replace("\\n", "\n", StringComparison.Ordinal).Trim();

    internal static IReadOnlyList<string> SplitList(string? value) =>
        value is null ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Loads <see cref="JwtPublicKeyPem"/> as an RSA public key; null when it is not one.</summary>
    internal static RSA? TryLoadPublicKey(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            return null;
        }
    }

    /// <summary>An absolute https URL, or http on a loopback host (local runs and tests).</summary>
    internal static bool IsSecureUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}

/// <summary>Fails start-up when Clerk is not configured well enough to verify anything (fail closed).</summary>
public sealed class ClerkOptionsValidator : IValidateOptions<ClerkOptions>
{
    public ValidateOptionsResult Validate(string? name, ClerkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (options.WebhookSecrets.Count == 0)
        {
            errors.Add("Comx:Clerk:WebhookSecret is required (the Svix signing secret, whsec_…).");
        }
        else if (options.WebhookSecrets.Any(s => SvixSignature.TryDecodeSecret(s) is null))
        {
            errors.Add("Comx:Clerk:WebhookSecret: every entry must be whsec_ followed by base64.");
        }

        if (!ClerkOptions.IsSecureUrl(options.Issuer))
        {
            errors.Add("Comx:Clerk:Issuer is required: the Clerk Frontend API URL (https).");
        }

        if (options.JwtPublicKeyPem is { } pem)
        {
            using var rsa = ClerkOptions.TryLoadPublicKey(pem);
            if (rsa is null)
            {
                errors.Add("Comx:Clerk:JwtPublicKey is not a PEM RSA public key.");
            }
            else if (rsa.KeySize < 2048)
            {
                errors.Add("Comx:Clerk:JwtPublicKey must be an RSA key of at least 2048 bits.");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.JwksUrl))
        {
            errors.Add("Either Comx:Clerk:JwtPublicKey (PEM) or Comx:Clerk:JwksUrl is required.");
        }
        else if (!ClerkOptions.IsSecureUrl(options.JwksUrl))
        {
            errors.Add("Comx:Clerk:JwksUrl must be an absolute https URL.");
        }

        if (options.AuthorizedPartyList.Any(p => !IsOrigin(p)))
        {
            errors.Add("Comx:Clerk:AuthorizedParties must be comma-separated origins such as https://app.example.com.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query);
}
