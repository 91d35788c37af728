using Comx.Core.Deliveries;

namespace Comx.Core.Actions;

/// <summary>
/// Action executions as delivery targets: a signed POST to the proposal's target URL with the organisation's action
/// secret; a finished delivery completes the proposal (and raises action.executed or action.failed).
/// </summary>
public sealed class ActionTarget(ActionStore actions, SignedPostSender sender) : IDeliveryTarget
{
    public DeliveryKind Kind => DeliveryKind.Action;

    public async Task<AttemptResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var (secret, _) = await actions.GetOrCreateSigningSecretAsync(delivery.OrgId, cancellationToken);
        return await sender.SendAsync(delivery, delivery.Url ?? "", secret, cancellationToken);
    }

    public Task OnRecordedAsync(Delivery delivery, AttemptResult? attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return delivery.Finished ? actions.CompleteAsync(delivery.OrgId, delivery.TargetId, delivery, cancellationToken) : Task.CompletedTask;
    }
}
