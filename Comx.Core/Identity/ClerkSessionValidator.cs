using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comx.Core.Identity;

/// <summary>
/// A verified Clerk session: the user (<c>sub</c>), the session (<c>sid</c>) and the active organisation with its role,
/// normalised to <c>org:admin</c>, <c>org:member</c> or <c>org:&lt;custom&gt;</c> (see <see cref="ClerkRoles"/>).
/// </summary>
public sealed record ClerkSession(string UserId, string SessionId, string? OrgId, string? Role);

public enum ClerkSessionStatus
{
    /// <summary>Verified, with an active organisation.</summary>
    Valid,
    /// <summary>Verified, but no organisation is active in the session (the caller is authenticated, not authorised: 403).</summary>
    NoActiveOrganization,
    Malformed,
    /// <summary>Anything but RS256, including <c>none</c> and HS256.</summary>
    UnsupportedAlgorithm,
    InvalidSignature,
    /// <summary>The token's <c>kid</c> is not in Clerk's key set, even after a refresh.</summary>
    UnknownSigningKey,
    /// <summary>Clerk's key set could not be loaded: a provider outage, not a bad token.</summary>
    SigningKeysUnavailable,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAuthorizedParty,
    /// <summary>The session has pending tasks (<c>sts</c> = <c>pending</c>); Clerk treats it as signed out.</summary>
    PendingSession,
}

/// <summary>Outcome of <see cref="ClerkSessionValidator.ValidateAsync"/>; <see cref="Session"/> is set for the first two statuses.</summary>
public sealed record ClerkSessionResult(ClerkSessionStatus Status, ClerkSession? Session, string Message)
{
    public bool IsValid => Status == ClerkSessionStatus.Valid;

    internal static ClerkSessionResult Fail(ClerkSessionStatus status, string message) => new(status, null, message);
}

/// <summary>
/// Validates Clerk session JWTs (the <c>__session</c> cookie or a Bearer token): RS256 only, signed by Clerk's key (PEM or
/// JWKS), <c>exp</c>/<c>nbf</c> against the injected clock with <see cref="ClockSkew"/>, <c>iss</c> equal to the configured
/// issuer, <c>azp</c> in the configured origins. Reads the active organisation from v1 (<c>org_id</c>, <c>org_role</c>) or
/// v2 (<c>o.id</c>, <c>o.rol</c>) claims.
/// </summary>
/// <remarks>
/// A token without <c>azp</c> is accepted even when origins are configured, as Clerk's own SDKs do: Clerk writes <c>azp</c>
/// from the Origin of browser requests, which is what the check defends (a token lifted into another site); tokens for
/// non-browser callers carry none, and refusing them would refuse those callers, not an attack.
/// </remarks>
public sealed class ClerkSessionValidator
{
    /// <summary>Clerk's SDKs allow 5 s; .NET's default of 5 minutes would keep a revoked session alive far longer.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    private const string Algorithm = SecurityAlgorithms.RsaSha256;
    private static readonly JsonWebTokenHandler Handler = new();

    private readonly ClerkSigningKeys _keys;
    private readonly TimeProvider _time;
    private readonly string _issuer;
    private readonly HashSet<string> _authorizedParties;

    public ClerkSessionValidator(IOptions<ClerkOptions> options, ClerkSigningKeys keys, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = keys;
        _time = time;
        _issuer = options.Value.Issuer ?? "";
        _authorizedParties = new HashSet<string>(options.Value.AuthorizedPartyList, StringComparer.Ordinal);
    }

    public async Task<ClerkSessionResult> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(token) || !Handler.CanReadToken(token))
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.Malformed, "The session token is not a JWT.");
        }

        JsonWebToken unverified;
        try
        {
            unverified = Handler.ReadJsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.Malformed, "The session token is not a JWT.");
        }

        // Decided before any key is looked up (ValidAlgorithms below refuses them again): alg "none", and HS256 keyed
        // with the public key's bytes, never get that far.
        if (unverified.Alg != Algorithm)
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.UnsupportedAlgorithm, "The session token is not signed with RS256.");
        }

        var lookup = await _keys.FindAsync(string.IsNullOrEmpty(unverified.Kid) ? null : unverified.Kid, cancellationToken);
        switch (lookup.Status)
        {
            case SigningKeyStatus.UnknownKey:
                return ClerkSessionResult.Fail(ClerkSessionStatus.UnknownSigningKey, "The session token's signing key is unknown.");
            case SigningKeyStatus.Unavailable:
                return ClerkSessionResult.Fail(ClerkSessionStatus.SigningKeysUnavailable, "Clerk's signing keys could not be loaded.");
        }

        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidAlgorithms = [Algorithm],
            IssuerSigningKeys = lookup.Keys,
            TryAllIssuerSigningKeys = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false, // a bare RSA key: no certificate lifetime to check
            ValidateIssuer = true,
            ValidIssuer = _issuer,
            ValidateAudience = false, // Clerk session tokens carry no aud
            // Checked below against the injected clock: TokenValidationParameters.TimeProvider is not public in 8.23.
            ValidateLifetime = false,
        });
        if (!result.IsValid)
        {
            return Failure(result.Exception);
        }

        var verified = (JsonWebToken)result.SecurityToken;
        var now = _time.GetUtcNow().UtcDateTime;
        if (verified.ValidTo == DateTime.MinValue)
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.Malformed, "The session token has no expiry.");
        }

        if (now > verified.ValidTo + ClockSkew)
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.Expired, "The session token has expired.");
        }

        if (verified.ValidFrom != DateTime.MinValue && now < verified.ValidFrom - ClockSkew)
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.NotYetValid, "The session token is not valid yet.");
        }

        return ReadSession(verified);
    }

    private ClerkSessionResult ReadSession(JsonWebToken token)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        var claims = payload.RootElement;

        if (String(claims, "azp") is { } azp && _authorizedParties.Count > 0 && !_authorizedParties.Contains(azp.TrimEnd('/')))
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.WrongAuthorizedParty, "The session token was issued for another origin.");
        }

        if (String(claims, "sts") == "pending")
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.PendingSession, "The session has pending tasks.");
        }

        if (String(claims, "sub") is not { Length: > 0 } userId || String(claims, "sid") is not { Length: > 0 } sessionId)
        {
            return ClerkSessionResult.Fail(ClerkSessionStatus.Malformed, "The session token has no user or session id.");
        }

        // v2 nests the active organisation under "o" (role without the org: prefix); v1 has flat org_* claims.
        var (orgId, role) = claims.TryGetProperty("o", out var o) && o.ValueKind == JsonValueKind.Object
            ? (String(o, "id"), String(o, "rol"))
            : (String(claims, "org_id"), String(claims, "org_role"));

        return string.IsNullOrEmpty(orgId)
            ? new ClerkSessionResult(ClerkSessionStatus.NoActiveOrganization, new ClerkSession(userId, sessionId, null, null), "No organisation is active in the session.")
            : new ClerkSessionResult(ClerkSessionStatus.Valid, new ClerkSession(userId, sessionId, orgId, ClerkRoles.Normalize(role)), "Valid.");
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ClerkSessionResult Failure(Exception? exception) => exception switch
    {
        SecurityTokenInvalidIssuerException => ClerkSessionResult.Fail(ClerkSessionStatus.WrongIssuer, "The session token was issued by another issuer."),
        SecurityTokenInvalidAlgorithmException => ClerkSessionResult.Fail(ClerkSessionStatus.UnsupportedAlgorithm, "The session token is not signed with RS256."),
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            ClerkSessionResult.Fail(ClerkSessionStatus.InvalidSignature, "The session token's signature is not valid."),
        _ => ClerkSessionResult.Fail(ClerkSessionStatus.Malformed, "The session token could not be validated."),
    };
}
