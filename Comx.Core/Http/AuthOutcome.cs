namespace Comx.Core.Http;

/// <summary>What authentication decided about a request.</summary>
public abstract record AuthOutcome
{
    /// <summary>Go on. <c>Caller</c> is set on org routes.</summary>
    public sealed record Allowed(OrgCaller? Caller) : AuthOutcome;

    /// <summary>Refused. <c>CountsAsFailure</c>: a bad credential (feeds the per-IP failure throttle); a role or org problem does not.</summary>
    public sealed record Denied(ApiError Error, bool CountsAsFailure) : AuthOutcome;
}
