namespace Comx.Core.Events;

/// <summary>
/// The dispatch message on the <c>webhook-deliveries</c> queue: "this organisation has outbox events". Its JSON is the
/// <c>dispatch</c> kind the delivery
/// worker has always read. A reader drops a message whose version is newer than it knows.
/// </summary>
public sealed record EventsQueueMessage(int Version, string Kind, string OrgId)
{
    public const int CurrentVersion = 1;
    public const string DispatchKind = "dispatch";

    public static EventsQueueMessage Dispatch(string orgId) => new(CurrentVersion, DispatchKind, orgId);
}
