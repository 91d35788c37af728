using System.Collections.Concurrent;
using Comx.Core.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Http;

public sealed record ProbeRequest(string Name, int Count, string? Email = null) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (Count is < 1 or > 10)
        {
            yield return new FieldError("count", "count must be from 1 to 10.");
        }

        if (Email is not null && !Email.Contains('@', StringComparison.Ordinal))
        {
            yield return new FieldError("email", "email must be an email address.");
        }
    }
}

public sealed record EffectRequest(string Tag) : IPublicScoped
{
    public string IdempotencyScope => "probe";
}

/// <summary>Counts handler executions per tag, so tests can see how many effects a request had.</summary>
public sealed class EffectCounter
{
    public ConcurrentDictionary<string, int> Counts { get; } = new();

    public ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();
}

/// <summary>Routes that exist only in the pipeline tests, to exercise each pipeline step in isolation.</summary>
public static class ProbeRoutes
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<EffectCounter>();
        services.AddSingleton(new RouteDefinition("Probe", "POST", "test/v1/probe", RouteAuth.Public,
            (context, _) => Task.FromResult(ApiResult.Ok(context.BodyAs<ProbeRequest>())))
        { RequestType = typeof(ProbeRequest) });
        services.AddSingleton(new RouteDefinition("Boom", "GET", "test/v1/boom", RouteAuth.Public,
            (_, _) => throw new InvalidOperationException("DefaultEndpointsProtocol=https;AccountKey=SECRET-THAT-MUST-NOT-LEAK")));
        services.AddSingleton(new RouteDefinition("Chatty", "GET", "test/v1/chatty", RouteAuth.Public,
            (_, _) => Task.FromResult(ApiResult.Ok(new { ok = true })))
        { RateLimit = RateLimitPolicy.PublicChat });
        services.AddSingleton(new RouteDefinition("Effect", "POST", "test/v1/effects", RouteAuth.Public, async (context, ct) =>
        {
            var request = context.BodyAs<EffectRequest>();
            var counter = context.Services.GetRequiredService<EffectCounter>();
            var count = counter.Counts.AddOrUpdate(request.Tag, 1, (_, c) => c + 1);
            if (counter.Gates.TryGetValue(request.Tag, out var gate))
            {
                await gate.Task.WaitAsync(ct);
            }

            return ApiResult.Created(new { tag = request.Tag, count, effect_id = Guid.NewGuid().ToString("N") });
        })
        { RequestType = typeof(EffectRequest) });
    }
}
