namespace Comx.Core.Events;

/// <summary>
/// The dispatch message on the <c>webhook-deliveries</c> queue: "this organisation has outbox events". Its JSON is the
/// <c>dispatch</c> kind the delivery worker has always read, versioned by the rule of <see cref="Storage.QueueMessages"/>.
/// </summary>
public sealed record EventsQueueMessage(int Version, string Kind, string OrgId) : Storage.IQueueMessage
{
    public const int CurrentVersion = 1;
    public const string DispatchKind = "dispatch";

    public static EventsQueueMessage Dispatch(string orgId) => new(CurrentVersion, DispatchKind, orgId);
}
