using Comx.Core.Http;
using Microsoft.AspNetCore.Http;

namespace Comx.Core.Identity;

/// <summary>Authenticates a request by its route kind: org credentials, or a webhook signature on the raw body.</summary>
public sealed class RequestAuthenticator(TimeProvider time)
{
    private readonly TimeProvider _time = time;

    public Task<AuthOutcome> AuthenticateAsync(RouteAuth auth, HttpRequest request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = _time;
        AuthOutcome outcome = new AuthOutcome.Denied(ApiError.Unauthenticated("Credentials are required."), CountsAsFailure: true);
        return Task.FromResult(outcome);
    }
}
