using System.Security.Cryptography;
using Comx.Core.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Comx.Tests.Identity.ClerkTokens;

namespace Comx.Tests.Identity;

/// <summary>Clerk session JWTs verified against keys served by a real JWKS endpoint on loopback Kestrel.</summary>
public sealed class ClerkJwksTests : IAsyncLifetime
{
    private const long LongLived = IssuedAt + 86_400;

    private readonly RSA _keyA = KeyA;
    private readonly RSA _keyB = KeyB;
    private readonly FakeTimeProvider _time = new(Now);
    private JwksServer _server = null!;
    private ServiceProvider _services = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await JwksServer.StartAsync(Jwks(PublicJwk(_keyA, "ins_a")));
        _services = ClerkSessionValidatorTests.Compose(new ClerkOptions { Issuer = Issuer, JwksUrl = _server.Url.ToString(), AuthorizedParties = Origin }, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    private ClerkSessionValidator Validator => _services.GetRequiredService<ClerkSessionValidator>();

    private void Advance(TimeSpan by) => _time.Advance(by);

    [Fact]
    public async Task KeySet_IsFetchedOnce_ThenCachedForTenMinutes()
    {
        var token = await MintAsync(Rs256Jwk(_keyA, V2().With("exp", LongLived), "ins_a"));

        Assert.True((await Validator.ValidateAsync(token)).IsValid);
        Assert.True((await Validator.ValidateAsync(token)).IsValid);
        Advance(ClerkSigningKeys.CacheDuration - TimeSpan.FromSeconds(1));
        Assert.True((await Validator.ValidateAsync(token)).IsValid);
        Assert.Equal(1, _server.Requests);

        Advance(TimeSpan.FromSeconds(1));
        Assert.True((await Validator.ValidateAsync(token)).IsValid);
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public async Task RotatedInKey_IsPickedUpAfterOneRefresh()
    {
        var tokens = await MintAsync(
            Rs256Jwk(_keyA, V1().With("exp", LongLived), "ins_a"),
            Rs256Jwk(_keyB, V1().With("exp", LongLived), "ins_b"));
        Assert.True((await Validator.ValidateAsync(tokens[0])).IsValid);
        Assert.Equal(1, _server.Requests);

        // Clerk publishes the new key next to the old one.
        _server.Jwks = Jwks(PublicJwk(_keyA, "ins_a"), PublicJwk(_keyB, "ins_b"));
        Advance(ClerkSigningKeys.MinimumRefreshInterval);

        var rotated = await Validator.ValidateAsync(tokens[1]);
        Assert.True(rotated.IsValid, rotated.Message);
        Assert.Equal(2, _server.Requests);
        Assert.True((await Validator.ValidateAsync(tokens[1])).IsValid);
        Assert.True((await Validator.ValidateAsync(tokens[0])).IsValid);
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public async Task RotationWithinTheRefreshInterval_WaitsForTheInterval()
    {
        var tokens = await MintAsync(
            Rs256Jwk(_keyA, V1().With("exp", LongLived), "ins_a"),
            Rs256Jwk(_keyB, V1().With("exp", LongLived), "ins_b"));
        Assert.True((await Validator.ValidateAsync(tokens[0])).IsValid);
        _server.Jwks = Jwks(PublicJwk(_keyA, "ins_a"), PublicJwk(_keyB, "ins_b"));

        Assert.Equal(ClerkSessionStatus.UnknownSigningKey, (await Validator.ValidateAsync(tokens[1])).Status);
        Assert.Equal(1, _server.Requests);

        Advance(ClerkSigningKeys.MinimumRefreshInterval);
        Assert.True((await Validator.ValidateAsync(tokens[1])).IsValid);
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public async Task FloodOfUnknownKids_CausesAtMostOneRefreshPerInterval()
    {
        var known = await MintAsync(Rs256Jwk(_keyA, V1().With("exp", LongLived), "ins_a"));
        Assert.True((await Validator.ValidateAsync(known)).IsValid);
        Assert.Equal(1, _server.Requests);

        var forged = await MintAsync([.. Enumerable.Range(0, 50).Select(i => Rs256Jwk(_keyB, V1().With("exp", LongLived), $"ins_forged_{i}"))]);
        async Task<ClerkSessionResult[]> FloodAsync() =>
            await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => forged).Select(token => Task.Run(() => Validator.ValidateAsync(token))));

        Advance(ClerkSigningKeys.MinimumRefreshInterval);
        Assert.All(await FloodAsync(), r => Assert.Equal(ClerkSessionStatus.UnknownSigningKey, r.Status));
        Assert.Equal(2, _server.Requests);

        Advance(ClerkSigningKeys.MinimumRefreshInterval - TimeSpan.FromSeconds(1));
        Assert.All(await FloodAsync(), r => Assert.Equal(ClerkSessionStatus.UnknownSigningKey, r.Status));
        Assert.Equal(2, _server.Requests);

        Advance(TimeSpan.FromSeconds(1));
        Assert.All(await FloodAsync(), r => Assert.Equal(ClerkSessionStatus.UnknownSigningKey, r.Status));
        Assert.Equal(3, _server.Requests);

        // The flood did not disturb valid tokens.
        Assert.True((await Validator.ValidateAsync(known)).IsValid);
        Assert.Equal(3, _server.Requests);
    }

    [Fact]
    public async Task EndpointDown_WithNothingCached_IsUnavailable_AndNotHammered()
    {
        _server.Jwks = null;
        var token = await MintAsync(Rs256Jwk(_keyA, V2().With("exp", LongLived), "ins_a"));

        Assert.Equal(ClerkSessionStatus.SigningKeysUnavailable, (await Validator.ValidateAsync(token)).Status);
        Assert.Equal(ClerkSessionStatus.SigningKeysUnavailable, (await Validator.ValidateAsync(token)).Status);
        Assert.Equal(1, _server.Requests);

        _server.Jwks = Jwks(PublicJwk(_keyA, "ins_a"));
        Advance(ClerkSigningKeys.MinimumRefreshInterval);
        Assert.True((await Validator.ValidateAsync(token)).IsValid);
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public async Task EndpointDown_AfterLoading_KeepsUsingTheCachedKeys()
    {
        var token = await MintAsync(Rs256Jwk(_keyA, V2().With("exp", LongLived), "ins_a"));
        Assert.True((await Validator.ValidateAsync(token)).IsValid);

        _server.Jwks = null;
        Advance(ClerkSigningKeys.CacheDuration);
        Assert.True((await Validator.ValidateAsync(token)).IsValid);
        Assert.Equal(2, _server.Requests);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"keys":[]}""")]
    [InlineData("""{"keys":[{"kty":"oct","kid":"ins_a","k":"c2VjcmV0"}]}""")]
    public async Task UnusableKeySet_IsUnavailable(string jwks)
    {
        _server.Jwks = jwks;
        var token = await MintAsync(Rs256Jwk(_keyA, V2(), "ins_a"));
        Assert.Equal(ClerkSessionStatus.SigningKeysUnavailable, (await Validator.ValidateAsync(token)).Status);
    }

    [Fact]
    public async Task KeyFromTheJwks_StillRefusesHs256AndNone()
    {
        var tokens = await MintAsync(Hs256(_keyA.ExportSubjectPublicKeyInfoPem(), V1()), Unsigned(V1()));
        foreach (var token in tokens)
        {
            Assert.Equal(ClerkSessionStatus.UnsupportedAlgorithm, (await Validator.ValidateAsync(token)).Status);
        }

        Assert.Equal(0, _server.Requests);
    }
}
