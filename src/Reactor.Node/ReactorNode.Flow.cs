using Reactor.Node.Jobs;
using Reactor.Node.Links;
using Reactor.Node.Runtime;
using Reactor.Protocol;
using Reactor.Protocol.Flows;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor;

// Fork and join: job code publishes through its args (Flow.PublishNext and friends) to the
// distributor that sent the job; the distributor makes the scheduling exactly once.
public sealed partial class ReactorNode
{
    private JobCatalog Qualify(JobCatalog catalog)
    {
        if (_options.Service is { } service)
        {
            catalog.Qualify(service);
        }
        return catalog;
    }

    private static readonly MessageCodec FlowCodec = new(ProtocolLimits.Default);

    /// <summary>A publish from job code (through its args' context, the attempt's <see cref="AttemptStep"/>).</summary>
    internal void PublishFromJob(NodeJob job, Publish publish)
    {
        // Checked here, in job code: data the send loop could not encode would be dropped there,
        // and the job would believe it had published.
        FlowCodec.ValidateArgs(publish.Data);
        // A name this service defines stays in this service, as in the seed: plain "task2" from a
        // node of service a is "a.task2". Other names (svc.task, or jobs only other nodes have) go as given.
        var service = _options.Service;
        if (service is not null && publish.Kind != PublishKind.Event && !publish.Name.Contains('.', StringComparison.Ordinal)
            && _catalog.TryGet(publish.Name, out _))
        {
            publish = publish with { Name = service + "." + publish.Name };
        }
        publish = AttemptTracing.Propagate(publish, job);
        // A job resumed from storage publishes too: its publishes wait for a link to its distributor.
        if (!SendPublish(job, publish))
        {
            // The distributor gives the job to another node when this connection dropped; failing
            // here stops this attempt from believing it published anything.
            throw new InvalidOperationException(
                $"cannot publish '{publish.Name}': the connection to the distributor that sent job {job.Id} is gone");
        }
    }
}
