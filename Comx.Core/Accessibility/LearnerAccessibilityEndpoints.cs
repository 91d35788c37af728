using Comx.Core.Http;
using Comx.Core.Storage;
using RequestContext = Comx.Core.Http.RequestContext;

namespace Comx.Core.Accessibility;

/// <summary>What the learner-accessibility handlers need, given to them explicitly.</summary>
public sealed record LearnerAccessibilityServices(LearnerAccessibilityStore Preferences);

/// <summary><c>GET/PUT /org/v1/learner-accessibility/{learnerId}</c>.</summary>
internal static class LearnerAccessibilityEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.GetLearnerAccessibility, "GET", Http.Routes.LearnerAccessibility, RouteAuth.Org, EndpointServices.With<LearnerAccessibilityServices>(GetAsync))
        { ResponseType = typeof(LearnerAccessibility), Summary = "A learner's accessibility preferences (defaults when none are stored)." },
        new(RouteNames.PutLearnerAccessibility, "PUT", Http.Routes.LearnerAccessibility, RouteAuth.Org, EndpointServices.With<LearnerAccessibilityServices>(PutAsync))
        { RequestType = typeof(LearnerAccessibility), ResponseType = typeof(LearnerAccessibility), Summary = "Sets a learner's accessibility preferences." },
    ];

    private static async Task<ApiResult> GetAsync(LearnerAccessibilityServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var learnerId = context.Value("learnerId");
        return StorageKeys.IsSafeKey(learnerId)
            ? ApiResult.Ok(await services.Preferences.GetAsync(context.Org.OrgId, learnerId, cancellationToken))
            : ApiError.Validation("learner_id", "learner_id is up to 200 letters, digits, '_', '-', '.' or ':'.");
    }

    private static async Task<ApiResult> PutAsync(LearnerAccessibilityServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var learnerId = context.Value("learnerId");
        if (!StorageKeys.IsSafeKey(learnerId))
        {
            return ApiError.Validation("learner_id", "learner_id is up to 200 letters, digits, '_', '-', '.' or ':'.");
        }

        return ApiResult.Ok(await services.Preferences.SaveAsync(context.Org.OrgId, learnerId, context.BodyAs<LearnerAccessibility>(), context.Org.Stamp, cancellationToken));
    }
}
