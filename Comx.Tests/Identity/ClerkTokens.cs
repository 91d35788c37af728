using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Comx.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Comx.Tests.Identity;

/// <summary>Clerk-shaped session tokens minted by the npm jose package (tools/mint-jwt.mjs), and the claim shapes of reference §3.</summary>
internal static class ClerkTokens
{
    public const string Issuer = "https://clerk.ex.com";
    public const string Origin = "https://app.ex.com";
    public const long IssuedAt = 1735689600;
    public const long Expires = 1735689660;
    public const long NotBefore = 1735689595;

    // Generated once per run (RSA key generation is slow); never mutated, so sharing them across tests is safe.
    public static readonly RSA KeyA = RSA.Create(2048);
    public static readonly RSA KeyB = RSA.Create(2048);
    public static readonly RSA OtherKey = RSA.Create(2048);

    /// <summary>A moment inside every default token's lifetime.</summary>
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(IssuedAt + 30);

    /// <summary>v1 claims with an active organisation (flat <c>org_*</c>, role with the <c>org:</c> prefix).</summary>
    public static JsonObject V1() => Claims("""
        {"sub":"user_2a","sid":"sess_2b","azp":"https://app.ex.com","iss":"https://clerk.ex.com","iat":1735689600,"nbf":1735689595,"exp":1735689660,
         "org_id":"org_2c","org_slug":"acme","org_role":"org:admin","org_permissions":["org:billing:manage"]}
        """);

    /// <summary>v2 claims with an active organisation (<c>o</c>, role without the prefix).</summary>
    public static JsonObject V2() => Claims("""
        {"v":2,"sub":"user_2a","sid":"sess_2b","azp":"https://app.ex.com","iss":"https://clerk.ex.com","iat":1735689600,"nbf":1735689595,"exp":1735689660,
         "jti":"a1","o":{"id":"org_2c","slg":"acme","rol":"admin","per":"read,manage","fpm":"3"},"pla":"o:pro","fea":"o:dashboard"}
        """);

    public static JsonObject Claims(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonObject With(this JsonObject claims, string name, JsonNode? value)
    {
        claims[name] = value;
        return claims;
    }

    public static JsonObject Without(this JsonObject claims, params string[] names)
    {
        foreach (var name in names)
        {
            claims.Remove(name);
        }

        return claims;
    }

    /// <summary>RS256 with the private key passed to jose as PKCS#8 PEM.</summary>
    public static JsonObject Rs256(RSA key, JsonObject claims, string? kid = null) =>
        Spec("RS256", claims, kid, key.ExportPkcs8PrivateKeyPem());

    /// <summary>RS256 with the private key passed to jose as a JWK.</summary>
    public static JsonObject Rs256Jwk(RSA key, JsonObject claims, string kid) =>
        Spec("RS256", claims, kid, PrivateJwk(key));

    /// <summary>HS256 keyed with the given text: the "public key as HMAC secret" confusion attack when that text is the PEM.</summary>
    public static JsonObject Hs256(string secret, JsonObject claims) =>
        new() { ["alg"] = "HS256", ["secret"] = secret, ["payload"] = claims };

    public static JsonObject Unsigned(JsonObject claims) => new() { ["alg"] = "none", ["payload"] = claims };

    public static async Task<string[]> MintAsync(params JsonObject[] specs)
    {
        var (exitCode, output, error) = await Node.RunAsync("tools/mint-jwt.mjs", new JsonArray([.. specs]).ToJsonString());
        Assert.True(exitCode == 0, error);
        return JsonSerializer.Deserialize<string[]>(output)!;
    }

    public static async Task<string> MintAsync(JsonObject spec) => (await MintAsync([spec]))[0];

    /// <summary>The public half as a JWKS entry, as Clerk serves it.</summary>
    public static JsonObject PublicJwk(RSA key, string kid)
    {
        var p = key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = kid,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
    }

    public static string Jwks(params JsonObject[] keys) => new JsonObject { ["keys"] = new JsonArray([.. keys]) }.ToJsonString();

    private static JsonObject PrivateJwk(RSA key)
    {
        var p = key.ExportParameters(true);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            ["d"] = Base64UrlEncoder.Encode(p.D),
            ["p"] = Base64UrlEncoder.Encode(p.P),
            ["q"] = Base64UrlEncoder.Encode(p.Q),
            ["dp"] = Base64UrlEncoder.Encode(p.DP),
            ["dq"] = Base64UrlEncoder.Encode(p.DQ),
            ["qi"] = Base64UrlEncoder.Encode(p.InverseQ),
        };
    }

    private static JsonObject Spec(string alg, JsonObject claims, string? kid, JsonNode key) => new()
    {
        ["alg"] = alg,
        ["key"] = key,
        ["header"] = kid is null ? new JsonObject { ["typ"] = "JWT" } : new JsonObject { ["typ"] = "JWT", ["kid"] = kid },
        ["payload"] = claims,
    };
}
