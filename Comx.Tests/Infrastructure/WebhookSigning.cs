using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Comx.Tests.Infrastructure;

/// <summary>Signs bodies the way Svix (Clerk) and Stripe do, from their published schemes, for end-to-end tests.</summary>
public static class WebhookSigning
{
    public static HttpRequestMessage Clerk(string body, string? svixId = null, DateTimeOffset? at = null, string? secret = null)
    {
        var id = svixId ?? "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String((secret ?? TestClerk.WebhookSecret)["whsec_".Length..]);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        var request = TestApp.Request(HttpMethod.Post, "/api/webhooks/clerk", TestApp.RawJson(body), TestSettings.NewIp());
        request.Headers.Add("svix-id", id);
        request.Headers.Add("svix-timestamp", timestamp);
        request.Headers.Add("svix-signature", "v1," + signature);
        return request;
    }

    public static HttpRequestMessage Stripe(string body, DateTimeOffset? at = null, string? secret = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret ?? TestClerk.StripeSecret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        var request = TestApp.Request(HttpMethod.Post, "/api/webhooks/stripe", TestApp.RawJson(body), TestSettings.NewIp());
        request.Headers.Add("Stripe-Signature", $"t={timestamp},v1={signature}");
        return request;
    }
}
