namespace Reactor.Distributor;

/// <summary>
/// A connected node as the dispatcher routes to it. The session builds it from the node's Hello and
/// hands it to <see cref="Dispatcher.TryJoin"/>; from then on the mutable routing fields belong to the
/// <see cref="Dispatcher"/>, which reads and writes them under its lock only. The session keeps the
/// reference as a handle for its calls (credit, goodbye, leave) and never touches the fields.
/// </summary>
internal sealed class NodeSlot(string name, IEnumerable<string> jobNames, int capacity, string storageKind, DateTimeOffset connectedSince, INodeSender sender)
{
    /// <summary>The node's name, unique among connected nodes.</summary>
    public string Name { get; } = name;

    /// <summary>The job names the node announced.</summary>
    public IReadOnlySet<string> JobNames { get; } = new HashSet<string>(jobNames, StringComparer.Ordinal);

    /// <summary>"memory" or "redis": a node with durable storage resumes its jobs after a restart.</summary>
    public string StorageKind { get; } = storageKind;

    /// <summary>When the handshake completed.</summary>
    public DateTimeOffset ConnectedSince { get; } = connectedSince;

    /// <summary>How the dispatcher reaches the node.</summary>
    public INodeSender Sender { get; } = sender;

    // Routing state: the dispatcher's, under its lock.

    /// <summary>Jobs the node can still take (its capacity less what it holds, plus credit it returned).</summary>
    public int Credit { get; set; } = capacity;

    /// <summary>False once the node said Goodbye: nothing more is sent to it.</summary>
    public bool Accepting { get; set; } = true;

    /// <summary>Jobs on the node, by id.</summary>
    public Dictionary<string, JobEnvelope> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>The re-dispatched job quarantined on this node, if any: while it runs, nothing else is sent here.</summary>
    public JobEnvelope? Suspect { get; set; }
}
