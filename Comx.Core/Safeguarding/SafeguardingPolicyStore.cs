using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;
using RequestContext = Comx.Core.Http.RequestContext;

namespace Comx.Core.Safeguarding;

/// <summary>Each organisation's safeguarding policy; the defaults apply until an admin saves one.</summary>
public sealed class SafeguardingPolicyStore(ComxStorage storage, TimeProvider time, ReadCache cache)
{
    private const string Row = "safeguarding";
    private const string PolicyKind = "safeguarding-policy";

    private TableClient Table => storage.Table(StorageNames.Tables.Settings);

    public async Task<SafeguardingPolicy> GetAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, Row, cancellationToken: cancellationToken);
        return entity.HasValue ? ComxJson.Deserialize<SafeguardingPolicy>(entity.Value!.GetString("Policy"))! : new SafeguardingPolicy();
    }

    /// <summary>The policy as read at most <see cref="ReadCache.Staleness"/> ago (a save on this instance shows at once); for the chat path.</summary>
    public Task<SafeguardingPolicy> GetRecentAsync(string orgId, CancellationToken cancellationToken = default) =>
        cache.GetOrLoadAsync(PolicyKind, orgId, ct => GetAsync(orgId, ct), cancellationToken);

    public async Task<SafeguardingPolicy> SaveAsync(string orgId, SafeguardingPolicy policy, string updatedBy, CancellationToken cancellationToken = default)
    {
        await Table.UpsertEntityAsync(new TableEntity(orgId, Row)
        {
            ["Policy"] = ComxJson.Serialize(policy),
            ["UpdatedBy"] = updatedBy,
            ["UpdatedAt"] = time.GetUtcNow(),
        }, TableUpdateMode.Replace, cancellationToken);
        cache.Invalidate(PolicyKind, orgId);
        return policy;
    }
}

/// <summary><c>GET/PUT /org/v1/safeguarding</c> (PUT: org:admin).</summary>
internal static class SafeguardingEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.GetSafeguarding, "GET", Http.Routes.Safeguarding, RouteAuth.Org, GetAsync)
        { ResponseType = typeof(SafeguardingPolicy), Summary = "The safeguarding policy (the defaults until one is saved)." },
        new(RouteNames.PutSafeguarding, "PUT", Http.Routes.Safeguarding, RouteAuth.OrgAdmin, PutAsync)
        { RequestType = typeof(SafeguardingPolicy), ResponseType = typeof(SafeguardingPolicy), Summary = "Replaces the safeguarding policy." },
    ];

    private static async Task<ApiResult> GetAsync(RequestContext context, CancellationToken cancellationToken) =>
        ApiResult.Ok(await context.Service<SafeguardingPolicyStore>().GetAsync(context.Org.OrgId, cancellationToken));

    private static async Task<ApiResult> PutAsync(RequestContext context, CancellationToken cancellationToken) =>
        ApiResult.Ok(await context.Service<SafeguardingPolicyStore>().SaveAsync(context.Org.OrgId, context.BodyAs<SafeguardingPolicy>(), context.Org.Stamp, cancellationToken));
}
