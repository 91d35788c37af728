namespace Comx.Core.Http;

/// <summary>How a route authenticates its caller (design.md pipeline step 3).</summary>
public enum RouteAuth
{
    /// <summary>No authentication; health and the OpenAPI document.</summary>
    Operations,

    /// <summary>Widget-facing routes: no credentials, identified by widget key or session token, limited per IP.</summary>
    Public,

    /// <summary>Clerk session JWT or Org API key, any member role.</summary>
    Org,

    /// <summary>Clerk session JWT or Org API key with role org:admin.</summary>
    OrgAdmin,

    /// <summary>Clerk session JWT with role org:admin; API keys are refused (key management).</summary>
    OrgAdminSession,

    /// <summary>Svix signature with the Clerk webhook secret, on the raw body.</summary>
    ClerkWebhook,

    /// <summary>Stripe-Signature on the raw body.</summary>
    StripeWebhook,
}

public static class RouteAuthExtensions
{
    public static bool IsOrg(this RouteAuth auth) => auth is RouteAuth.Org or RouteAuth.OrgAdmin or RouteAuth.OrgAdminSession;

    public static bool IsWebhook(this RouteAuth auth) => auth is RouteAuth.ClerkWebhook or RouteAuth.StripeWebhook;

    /// <summary>Routes whose failures count towards the per-IP authentication-failure throttle.</summary>
    public static bool ChecksCredentials(this RouteAuth auth) => auth.IsOrg() || auth.IsWebhook();
}
