namespace Reactor.Distributor.Flows;

/// <summary>A trigger whose events have all been emitted: its payload and the events in emission order.</summary>
internal sealed record ReadyTrigger(string TriggerId, byte[] Payload, IReadOnlyList<(string Name, byte[] Data)> Events);

/// <summary>
/// Where fork/join state lives: claims of deterministic child ids, and per-scope events and triggers
/// (a scope is one run, or the global scope). Every operation is atomic on its own.
/// </summary>
internal interface IFlowStore : IAsyncDisposable
{
    /// <summary>
    /// Claims <paramref name="jobId"/> for <paramref name="name"/>; when claimed, records
    /// <paramref name="journalEntry"/> (if any) and marks <paramref name="firedTrigger"/> (if any) fired in
    /// the same step. Returns false and the name of the first claim when it was claimed before.
    /// </summary>
    Task<(bool Claimed, string FirstName)> ClaimAsync(string jobId, string name, byte[]? journalEntry,
        string? scope, string? firedTrigger);

    /// <summary>Records an event (the first data of a name wins) and returns the triggers it completes that have not fired.</summary>
    Task<IReadOnlyList<ReadyTrigger>> EmitAsync(string scope, string eventName, byte[] data);

    /// <summary>Registers a trigger (again is a no-op) and returns it when its events are all there already and it has not fired.</summary>
    Task<ReadyTrigger?> RegisterAsync(string scope, string triggerId, string[] events, byte[] payload);
}
