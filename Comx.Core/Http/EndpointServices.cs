using Microsoft.Extensions.DependencyInjection;

namespace Comx.Core.Http;

/// <summary>
/// Gives a handler its dependencies explicitly: one services record per feature (registered in DI, like eShop's
/// <c>[AsParameters]</c> services), passed as the handler's first parameter, so its signature says what it needs.
/// </summary>
public static class EndpointServices
{
    public static EndpointHandler With<TServices>(Func<TServices, RequestContext, CancellationToken, Task<ApiResult>> handler) where TServices : notnull
    {
        ArgumentNullException.ThrowIfNull(handler);
        return (context, cancellationToken) => handler(context.Services.GetRequiredService<TServices>(), context, cancellationToken);
    }
}
