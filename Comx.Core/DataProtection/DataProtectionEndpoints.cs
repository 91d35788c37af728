using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.DataProtection;

/// <summary>What the data-protection handlers need, given to them explicitly.</summary>
public sealed record DataProtectionServices(DataProtectionStore Store, LearnerDataService Learners, TimeProvider Time);

/// <summary>Retention policy, learner export and erasure (api.md "Second release"); every route is org:admin.</summary>
internal static class DataProtectionEndpoints
{
    private const string LearnerIdRule = "learner_id is up to 200 letters, digits, '_', '-', '.' or ':'.";

    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.GetDataRetention, "GET", Http.Routes.DataRetention, RouteAuth.OrgAdmin, EndpointServices.With<DataProtectionServices>(GetPolicyAsync))
        {
            ResponseType = typeof(RetentionPolicyResponse),
            Summary = "The retention policy and what its last daily run removed (last_run.rows_removed by kind). configured is false until an admin sets " +
                "one: nothing is deleted until then, and the values are the defaults.",
        },
        new(RouteNames.PutDataRetention, "PUT", Http.Routes.DataRetention, RouteAuth.OrgAdmin, EndpointServices.With<DataProtectionServices>(PutPolicyAsync))
        {
            RequestType = typeof(RetentionPolicyRequest), ResponseType = typeof(RetentionPolicyResponse),
            Summary = "Sets the retention policy: conversation_days (7-3650) after a conversation's last message it is deleted with its messages, answers " +
                "and chat session; safeguarding-flagged conversations after safeguarding_days (at least conversation_days); enquiries after enquiry_days " +
                "(7-3650). A daily job applies it; strictly older records go, one exactly at the cutoff stays.",
        },
        new(RouteNames.ExportLearner, "GET", Http.Routes.LearnerExport, RouteAuth.OrgAdmin, EndpointServices.With<DataProtectionServices>(ExportAsync))
        {
            ResponseType = typeof(LearnerExport),
            Summary = "Everything held about a learner id, as one JSON document: accessibility preferences (null when none are stored), ThinkGuide sessions " +
                "with every step, and the chat sessions started with that learner_id with their messages, the answers given in them and enquiries sent from them.",
        },
        new(RouteNames.EraseLearner, "DELETE", Http.Routes.Learner, RouteAuth.OrgAdmin, EndpointServices.With<DataProtectionServices>(EraseAsync))
        {
            ResponseType = typeof(ErasureResponse), SuccessStatus = 202,
            Summary = "Erases a learner: 202 with erasure_id; a queued job removes their accessibility preferences, ThinkGuide sessions, chat sessions, " +
                "messages, the answers given to them (question and text), enquiries from their sessions and the event and delivery logs naming them, " +
                "then raises erasure.completed. Progress at GET /org/v1/erasures/{erasureId}; a job cut short resumes where it stopped.",
        },
        new(RouteNames.GetErasure, "GET", Http.Routes.Erasure, RouteAuth.OrgAdmin, EndpointServices.With<DataProtectionServices>(GetErasureAsync))
        {
            ResponseType = typeof(ErasureResponse),
            Summary = "An erasure's progress: status queued, running or completed (only when everything is gone), rows_removed by kind, steps_done.",
        },
    ];

    private static async Task<ApiResult> GetPolicyAsync(DataProtectionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var policy = await services.Store.GetPolicyAsync(context.Org.OrgId, cancellationToken);
        return ApiResult.Ok(policy is null
            ? new RetentionPolicyResponse(RetentionDefaults.ConversationDays, RetentionDefaults.EnquiryDays, RetentionDefaults.SafeguardingDays, false, null, null, null)
            : ToResponse(policy));
    }

    private static async Task<ApiResult> PutPolicyAsync(DataProtectionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var policy = await services.Store.PutPolicyAsync(context.Org.OrgId, context.BodyAs<RetentionPolicyRequest>(), context.Org.Stamp,
            services.Time.GetUtcNow(), cancellationToken);
        return ApiResult.Ok(ToResponse(policy));
    }

    private static async Task<ApiResult> ExportAsync(DataProtectionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var learnerId = context.Value("learnerId");
        return StorageKeys.IsSafeKey(learnerId)
            ? ApiResult.Ok(await services.Learners.ExportAsync(context.Org.OrgId, learnerId, cancellationToken))
            : ApiError.Validation("learner_id", LearnerIdRule);
    }

    private static async Task<ApiResult> EraseAsync(DataProtectionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var learnerId = context.Value("learnerId");
        if (!StorageKeys.IsSafeKey(learnerId))
        {
            return ApiError.Validation("learner_id", LearnerIdRule);
        }

        var erasure = await services.Learners.StartErasureAsync(context.Org.OrgId, learnerId, context.Org.Stamp, cancellationToken);
        return ApiResult.Accepted(erasure.ToResponse());
    }

    private static async Task<ApiResult> GetErasureAsync(DataProtectionServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var erasure = await services.Store.GetErasureAsync(context.Org.OrgId, context.Value("erasureId"), cancellationToken);
        return erasure is null ? ApiError.NotFound("erasure") : ApiResult.Ok(erasure.ToResponse());
    }

    private static RetentionPolicyResponse ToResponse(RetentionPolicy p) =>
        new(p.ConversationDays, p.EnquiryDays, p.SafeguardingDays, true, p.UpdatedAt, p.UpdatedBy, p.LastRun);
}
