namespace Comx.Core.Deliveries;

/// <summary>
/// A message on the <c>webhook-deliveries</c> queue (versioned by the rule of <see cref="Storage.QueueMessages"/>; System.Text.Json, Base64 on the wire).
/// <c>dispatch</c>: fan an organisation's outbox events out to deliveries. <c>deliver</c>: make attempt
/// <c>Attempt</c> of one delivery (a message for an attempt already made is stale and dropped).
/// </summary>
public sealed record DeliveryQueueMessage(int Version, string Kind, string OrgId, string? DeliveryPartition = null, string? DeliveryRow = null, int? Attempt = null) : Storage.IQueueMessage
{
    public const int CurrentVersion = 1;
    public const string Dispatch = Events.EventsQueueMessage.DispatchKind;
    public const string Deliver = "deliver";

    /// <summary>Attempt <paramref name="attempt"/> (1-based) of the delivery in row <paramref name="row"/> of the organisation's partition.</summary>
    public static DeliveryQueueMessage DeliverAttempt(string orgId, string row, int attempt) => new(CurrentVersion, Deliver, orgId, orgId, row, attempt);
}
