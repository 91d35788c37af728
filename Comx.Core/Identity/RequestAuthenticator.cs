using Comx.Core.Billing;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;

namespace Comx.Core.Identity;

/// <summary>
/// Authenticates a request by its route kind: a webhook signature on the raw body, or org credentials (a Clerk
/// session JWT or an Org API key). The organisation must exist and be active and, for a session, the user must be a
/// member as synced from Clerk; the stored membership role wins over the token's (it reflects a demotion at once).
/// Org API keys act with the admin role but may not manage API keys (a Clerk session is required for that).
/// </summary>
public sealed class RequestAuthenticator(
    ClerkSessionValidator sessions,
    ApiKeyStore apiKeys,
    OrgDirectory directory,
    SvixSignature svix,
    StripeSignature stripe)
{
    public async Task<AuthOutcome> AuthenticateAsync(RouteAuth auth, HttpRequest request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return auth switch
        {
            RouteAuth.ClerkWebhook => svix.Verify(request.Headers, body.Span) is var svixResult && svixResult == SvixVerificationResult.Valid
                ? new AuthOutcome.Allowed(null)
                : Refused($"Invalid Clerk webhook signature ({svixResult}).", countsAsFailure: true),
            RouteAuth.StripeWebhook => stripe.Verify(body.Span, request.Headers["Stripe-Signature"].ToString()) is var result && result == StripeSignatureResult.Valid
                ? new AuthOutcome.Allowed(null)
                : Refused($"Invalid Stripe webhook signature ({result}).", countsAsFailure: true),
            RouteAuth.Org or RouteAuth.OrgAdmin or RouteAuth.OrgAdminSession => await AuthenticateOrgAsync(auth, request, cancellationToken),
            _ => new AuthOutcome.Allowed(null),
        };
    }

    private async Task<AuthOutcome> AuthenticateOrgAsync(RouteAuth auth, HttpRequest request, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Refused("Send Authorization: Bearer <Clerk session token or comx_sk_ API key>.", countsAsFailure: false);
        }

        var credential = header[7..].Trim();
        var caller = credential.StartsWith(ApiKeyStore.SecretPrefix, StringComparison.Ordinal)
            ? await FromApiKeyAsync(credential, cancellationToken)
            : await FromSessionAsync(credential, cancellationToken);
        if (caller is AuthOutcome.Denied || caller is not AuthOutcome.Allowed { Caller: { } allowed })
        {
            return caller;
        }

        if (auth == RouteAuth.OrgAdminSession && allowed.Type == CallerType.ApiKey)
        {
            return new AuthOutcome.Denied(ApiError.Forbidden("API keys are managed with a signed-in admin's session, not with an API key."), false);
        }

        if (auth is RouteAuth.OrgAdmin or RouteAuth.OrgAdminSession && !allowed.IsAdmin)
        {
            return new AuthOutcome.Denied(ApiError.Forbidden("This action needs the org:admin role."), false);
        }

        return caller;
    }

    private async Task<AuthOutcome> FromApiKeyAsync(string secret, CancellationToken cancellationToken)
    {
        if (await apiKeys.FindAsync(secret, cancellationToken) is not { } key)
        {
            return Refused("The API key is not valid (it may have been revoked or rotated).", countsAsFailure: true);
        }

        if (await directory.GetOrgAsync(key.OrgId, cancellationToken) is not { Status: RecordStatus.Active })
        {
            return Refused("The organisation of this API key no longer exists.", countsAsFailure: false);
        }

        return new AuthOutcome.Allowed(new OrgCaller(key.OrgId, CallerType.ApiKey, key.KeyId, OrgCaller.AdminRole));
    }

    private async Task<AuthOutcome> FromSessionAsync(string token, CancellationToken cancellationToken)
    {
        var result = await sessions.ValidateAsync(token, cancellationToken);
        if (result.Status == ClerkSessionStatus.NoActiveOrganization)
        {
            return new AuthOutcome.Denied(ApiError.Forbidden("The session has no active organisation. Select an organisation and retry."), false);
        }

        if (result.Status == ClerkSessionStatus.SigningKeysUnavailable)
        {
            return new AuthOutcome.Denied(ApiError.ProviderUnavailable("Clerk's signing keys could not be fetched. Retry shortly."), false);
        }

        if (result.Status != ClerkSessionStatus.Valid || result.Session is not { OrgId: { } orgId } session)
        {
            return Refused($"The session token is not valid: {result.Message}", countsAsFailure: true);
        }

        var org = directory.GetOrgAsync(orgId, cancellationToken);
        var membership = directory.GetMembershipAsync(orgId, session.UserId, cancellationToken);
        if (await org is not { Status: RecordStatus.Active })
        {
            return Refused("The organisation does not exist or was deleted.", countsAsFailure: false);
        }

        if (await membership is not { Status: RecordStatus.Active } member)
        {
            return Refused("You are not a member of this organisation.", countsAsFailure: false);
        }

        var role = ClerkRoles.Normalize(member.Role) ?? session.Role ?? OrgCaller.MemberRole;
        return new AuthOutcome.Allowed(new OrgCaller(orgId, CallerType.User, session.UserId, role));
    }

    private static AuthOutcome.Denied Refused(string message, bool countsAsFailure) =>
        new(ApiError.Unauthenticated(message), countsAsFailure);
}
