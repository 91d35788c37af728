using System.Security.Cryptography;
using System.Text;
using Comx.Core.Identity;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Identity;

public sealed class OrgAuthenticationTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private TestOrg _org = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _org = await TestOrg.CreateAsync(_app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AdminSession_GetsMe()
    {
        var me = await (await _app.Client.SendAsync(_org.AsAdmin(HttpMethod.Get, "/api/org/v1/me"))).JsonAsync(200);
        Assert.Equal(_org.OrgId, me.GetProperty("org_id").GetString());
        Assert.Equal("trial", me.GetProperty("plan").GetString());
        Assert.Equal("user", me.GetProperty("caller").GetProperty("type").GetString());
        Assert.Equal(_org.AdminUserId, me.GetProperty("caller").GetProperty("id").GetString());
        Assert.Equal("org:admin", me.GetProperty("caller").GetProperty("role").GetString());
    }

    [Fact]
    public async Task ApiKey_GetsMeAsApiKey()
    {
        var response = await _app.Client.SendAsync(_org.AsKey(HttpMethod.Get, "/api/org/v1/me"));
        var me = await response.JsonAsync(200);
        Assert.Equal("api_key", me.GetProperty("caller").GetProperty("type").GetString());
        Assert.Equal(_org.ApiKeyId, me.GetProperty("caller").GetProperty("id").GetString());
        Assert.Equal("60", response.Header("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task NoCredentials_Returns401()
    {
        var response = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/org/v1/me", ip: TestSettings.NewIp()));
        await response.ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }

    public static TheoryData<string, string> RefusedTokens()
    {
        using var otherKey = RSA.Create(2048);
        var now = DateTimeOffset.UtcNow;
        return new TheoryData<string, string>
        {
            { "wrong key", TestClerk.SessionToken("user_x", "org_x", "org:admin", key: RSA.Create(2048)) },
            { "wrong issuer", TestClerk.SessionToken("user_x", "org_x", "org:admin", issuer: "https://evil.example") },
            { "wrong azp", TestClerk.SessionToken("user_x", "org_x", "org:admin", azp: "https://evil.example") },
            { "expired", TestClerk.SessionToken("user_x", "org_x", "org:admin", now: now.AddMinutes(-10)) },
            { "future-dated", TestClerk.SessionToken("user_x", "org_x", "org:admin", now: now.AddMinutes(10)) },
            { "alg none", Unsigned() },
            { "hs256 with the public key", HmacWithPublicKey() },
            { "garbage", "not.a.jwt" },
        };
    }

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task BadSessionToken_Returns401(string why, string token)
    {
        var request = TestApp.Request(HttpMethod.Get, "/api/org/v1/me", ip: TestSettings.NewIp());
        request.Bearer(token);
        var error = await (await _app.Client.SendAsync(request)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()), why);
    }

    [Fact]
    public async Task TokenWithoutActiveOrg_Returns403()
    {
        var request = TestApp.Request(HttpMethod.Get, "/api/org/v1/me", ip: TestSettings.NewIp());
        request.Bearer(TestClerk.SessionToken(_org.AdminUserId, null, null));
        await (await _app.Client.SendAsync(request)).ErrorAsync(403, "COMX_FORBIDDEN");
    }

    [Fact]
    public async Task ValidTokenForAnOrgTheUserIsNotIn_Returns401()
    {
        var other = await TestOrg.CreateAsync(_app);
        var request = TestApp.Request(HttpMethod.Get, "/api/org/v1/me", ip: TestSettings.NewIp());
        request.Bearer(TestClerk.SessionToken(_org.AdminUserId, other.OrgId, "org:admin"));
        await (await _app.Client.SendAsync(request)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }

    [Fact]
    public async Task MemberOnAdminRoute_Returns403_AdminSucceeds()
    {
        var body = new { allowed_origins = new[] { "https://school.example" }, greeting = "Hello!", handoff_enabled = true };
        await (await _app.Client.SendAsync(_org.AsMember(HttpMethod.Put, "/api/org/v1/widget", TestApp.Json(body)))).ErrorAsync(403, "COMX_FORBIDDEN");
        var widget = await (await _app.Client.SendAsync(_org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget", TestApp.Json(body)))).JsonAsync(200);
        Assert.Equal("https://school.example", widget.GetProperty("allowed_origins")[0].GetString());
        Assert.StartsWith("comx_pk_", widget.GetProperty("widget_key").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKeyManagement_NeedsAnAdminSession()
    {
        await (await _app.Client.SendAsync(_org.AsKey(HttpMethod.Get, "/api/org/v1/api-keys"))).ErrorAsync(403, "COMX_FORBIDDEN");
        await (await _app.Client.SendAsync(_org.AsMember(HttpMethod.Get, "/api/org/v1/api-keys"))).ErrorAsync(403, "COMX_FORBIDDEN");
        var list = await (await _app.Client.SendAsync(_org.AsAdmin(HttpMethod.Get, "/api/org/v1/api-keys"))).JsonAsync(200);
        Assert.Contains(list.GetProperty("data").EnumerateArray(), k => k.GetProperty("key_id").GetString() == _org.ApiKeyId);
        Assert.DoesNotContain(_org.ApiKey, list.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatedKey_IsShownOnce_Works_AndStopsWhenRevoked()
    {
        var created = await (await _app.Client.SendAsync(_org.AsAdmin(HttpMethod.Post, "/api/org/v1/api-keys", TestApp.Json(new { name = "CRM sync" })))).JsonAsync(201);
        var key = created.GetProperty("key").GetString()!;
        var keyId = created.GetProperty("key_id").GetString()!;
        Assert.StartsWith("comx_sk_", key, StringComparison.Ordinal);

        var stored = await _app.Storage.Table("apikeys").QueryAsync<Azure.Data.Tables.TableEntity>().ToListAsync();
        Assert.DoesNotContain(stored, e => e.Select(p => p.Value).OfType<string>().Any(v => v.Contains(key, StringComparison.Ordinal)));
        Assert.Contains(stored, e => e.RowKey == ApiKeyStore.HashOf(key));

        await (await _app.Client.SendAsync(WithKey(key, HttpMethod.Get, "/api/org/v1/me"))).JsonAsync(200);
        await (await _app.Client.SendAsync(_org.AsAdmin(HttpMethod.Delete, $"/api/org/v1/api-keys/{keyId}"))).JsonAsync(200);
        await (await _app.Client.SendAsync(WithKey(key, HttpMethod.Get, "/api/org/v1/me"))).ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }

    [Fact]
    public async Task RotatedKey_OldSecretStops_NewWorks_SameKeyId()
    {
        var rotated = await (await _app.Client.SendAsync(_org.AsAdmin(HttpMethod.Post, $"/api/org/v1/api-keys/{_org.ApiKeyId}/rotate"))).JsonAsync(201);
        Assert.Equal(_org.ApiKeyId, rotated.GetProperty("key_id").GetString());
        var fresh = rotated.GetProperty("key").GetString()!;
        Assert.NotEqual(_org.ApiKey, fresh);
        await (await _app.Client.SendAsync(WithKey(_org.ApiKey, HttpMethod.Get, "/api/org/v1/me"))).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        await (await _app.Client.SendAsync(WithKey(fresh, HttpMethod.Get, "/api/org/v1/me"))).JsonAsync(200);
    }

    [Fact]
    public async Task ElevenFailedAuthentications_AreThrottledBeforeAnyKeyIsChecked()
    {
        await TestSettings.FreshRateWindowAsync();
        var ip = TestSettings.NewIp();
        for (var i = 0; i < 10; i++)
        {
            var bad = TestApp.Request(HttpMethod.Get, "/api/org/v1/me", ip: ip);
            bad.Bearer("comx_sk_wrong" + i);
            await (await _app.Client.SendAsync(bad)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        }

        // Even a valid key is not checked now: the address is throttled.
        var good = TestApp.Request(HttpMethod.Get, "/api/org/v1/me", ip: ip);
        good.Bearer(_org.ApiKey);
        var throttled = await _app.Client.SendAsync(good);
        await throttled.ErrorAsync(429, "COMX_RATE_LIMITED");
        Assert.True(int.Parse(throttled.Header("Retry-After"), System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task DeletedOrg_StopsAuthenticatingAtOnce()
    {
        var org = await TestOrg.CreateAsync(_app);
        await (await _app.Client.SendAsync(org.AsKey(HttpMethod.Get, "/api/org/v1/me"))).JsonAsync(200);
        await _app.Services.GetRequiredService<OrgDirectory>().DeleteOrgAsync(org.OrgId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await (await _app.Client.SendAsync(org.AsKey(HttpMethod.Get, "/api/org/v1/me"))).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/me"))).ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }

    private static HttpRequestMessage WithKey(string key, HttpMethod method, string path)
    {
        var request = TestApp.Request(method, path, ip: TestSettings.NewIp());
        request.Bearer(key);
        return request;
    }

    private static string Unsigned()
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + B64($"{{\"sub\":\"user_x\",\"org_id\":\"org_x\",\"org_role\":\"org:admin\",\"iss\":\"{TestClerk.Issuer}\",\"exp\":{exp}}}") + ".";
    }

    private static string HmacWithPublicKey()
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var signingInput = B64(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")) + "." +
            B64(Encoding.UTF8.GetBytes($"{{\"sub\":\"user_x\",\"org_id\":\"org_x\",\"org_role\":\"org:admin\",\"iss\":\"{TestClerk.Issuer}\",\"exp\":{exp}}}"));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestClerk.PublicKeyPem), Encoding.UTF8.GetBytes(signingInput));
        return signingInput + "." + B64(signature);
    }
}
