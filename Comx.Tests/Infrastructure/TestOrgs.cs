using System.Security.Claims;
using System.Security.Cryptography;
using Comx.Core.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comx.Tests.Infrastructure;

/// <summary>The Clerk instance the tests play: an RSA signing key whose public half the app is configured with.</summary>
public static class TestClerk
{
    public const string Issuer = "https://clerk.comx.test";
    public const string Dashboard = "https://dashboard.comx.test";
    public const string KeyId = "ins_test_key_1";

    public static readonly RSA SigningKey = RSA.Create(2048);

    public static readonly string PublicKeyPem = SigningKey.ExportSubjectPublicKeyInfoPem();

    public static readonly string WebhookSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public const string StripeSecret = "whsec_stripe_test_0123456789abcdef";

    /// <summary>A v1-shaped Clerk session token for the user, with an active org and role (null org: none active).</summary>
    public static string SessionToken(string userId, string? orgId, string? role, DateTimeOffset? now = null, TimeSpan? lifetime = null,
        string issuer = Issuer, string? azp = Dashboard, RSA? key = null)
    {
        var issued = now ?? DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sid"] = "sess_" + Guid.NewGuid().ToString("N"),
        };
        if (azp is not null)
        {
            claims["azp"] = azp;
        }

        if (orgId is not null)
        {
            claims["org_id"] = orgId;
            claims["org_role"] = role ?? "org:member";
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", userId)]),
            Claims = claims,
            Issuer = issuer,
            IssuedAt = issued.UtcDateTime,
            NotBefore = issued.UtcDateTime.AddSeconds(-5),
            Expires = (issued + (lifetime ?? TimeSpan.FromMinutes(1))).UtcDateTime,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? SigningKey) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }
}

/// <summary>An organisation with an admin, a member and an API key, synced as Clerk would have.</summary>
public sealed record TestOrg(string OrgId, string AdminUserId, string MemberUserId, string AdminToken, string MemberToken, string ApiKey, string ApiKeyId)
{
    public static Task<TestOrg> CreateAsync(TestApp app, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        return CreateAsync(app.Services, name);
    }

    /// <summary>The same, for an app that is not a <see cref="TestApp"/> (the browser tests' Kestrel DevHost).</summary>
    public static async Task<TestOrg> CreateAsync(IServiceProvider services, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var directory = services.GetRequiredService<OrgDirectory>();
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var (orgId, admin, member) = ($"org_{suffix}", $"user_a{suffix}", $"user_m{suffix}");
        var version = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await directory.UpsertOrgAsync(orgId, name ?? $"Test Org {suffix}", suffix, version);
        await directory.UpsertUserAsync(admin, $"admin-{suffix}@example.org", "Ada Admin", version);
        await directory.UpsertUserAsync(member, $"member-{suffix}@example.org", "Max Member", version);
        await directory.UpsertMembershipAsync(orgId, admin, "orgmem_a" + suffix, OrgCallerRoles.Admin, version);
        await directory.UpsertMembershipAsync(orgId, member, "orgmem_m" + suffix, OrgCallerRoles.Member, version);
        var key = await services.GetRequiredService<ApiKeyStore>().CreateAsync(orgId, "test key", admin);
        return new TestOrg(orgId, admin, member,
            TestClerk.SessionToken(admin, orgId, "org:admin", lifetime: TimeSpan.FromHours(1)),
            TestClerk.SessionToken(member, orgId, "org:member", lifetime: TimeSpan.FromHours(1)),
            key.Secret, key.Info.KeyId);
    }

    public HttpRequestMessage AsAdmin(HttpMethod method, string path, HttpContent? content = null) => With(AdminToken, method, path, content);

    public HttpRequestMessage AsMember(HttpMethod method, string path, HttpContent? content = null) => With(MemberToken, method, path, content);

    public HttpRequestMessage AsKey(HttpMethod method, string path, HttpContent? content = null) => With(ApiKey, method, path, content);

    private static HttpRequestMessage With(string credential, HttpMethod method, string path, HttpContent? content)
    {
        var request = TestApp.Request(method, path, content, TestSettings.NewIp());
        request.Bearer(credential);
        return request;
    }
}

internal static class OrgCallerRoles
{
    public const string Admin = Core.Http.OrgCaller.AdminRole;
    public const string Member = Core.Http.OrgCaller.MemberRole;
}
