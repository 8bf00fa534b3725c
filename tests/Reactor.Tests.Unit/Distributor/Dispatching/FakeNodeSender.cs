using Reactor.Distributor;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

/// <summary>A node as the dispatcher sees it, recording what it was sent instead of writing frames.</summary>
internal sealed class FakeNodeSender(string remote, List<string>? log = null) : INodeSender
{
    /// <summary>Ids of the jobs dispatched to this node, in order.</summary>
    public List<string> Dispatched { get; } = [];

    /// <summary>Ids of the jobs this node was asked to cancel.</summary>
    public List<string> Cancelled { get; } = [];

    public string Remote { get; } = remote;

    public DateTimeOffset LastReceived { get; set; }

    public void Dispatch(Dispatch dispatch)
    {
        Dispatched.Add(dispatch.JobId);
        log?.Add($"{Remote} dispatch {dispatch.JobId}");
    }

    public void Cancel(string jobId) => Cancelled.Add(jobId);
}
