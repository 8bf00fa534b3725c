using Reactor.Node.Links;
using Reactor.Node.Runtime;
using Reactor.Protocol.Messages;

namespace Reactor;

// Where a job's messages go. A dispatched job talks on the connection that sent it. A job resumed
// from storage has no connection yet: its publishes and results wait, in order, until a link to the
// distributor named in its record (JobRecord.Distributor, the handshake's DistributorId) comes up,
// and are sent there first. A copy of a job the node already holds is recognised by id and adopted:
// the job then belongs to the copy's connection and never runs twice at once on this node.
public sealed partial class ReactorNode
{
    /// <summary>Most final results kept until the distributor acknowledges them.</summary>
    private const int MaxUnacknowledged = 100_000;

    /// <summary>Guards <see cref="NodeJob.Link"/> changes against job code publishing from other threads (deferred jobs).</summary>
    private readonly Lock _routesGate = new();

    /// <summary>Resumed jobs whose distributor has not been linked yet (route lock). Ended ones stay until their results are out.</summary>
    private readonly List<NodeJob> _unbound = [];

    /// <summary>Final results sent but not acknowledged by a ResultAck yet, by job id (loop only).</summary>
    private readonly Dictionary<string, Result> _unacknowledged = new(StringComparer.Ordinal);

    /// <summary>Sends one publish of the job's running attempt; false when the connection it belongs to is gone.</summary>
    private bool SendPublish(NodeJob job, Publish publish)
    {
        lock (_routesGate)
        {
            if (job.Link is not { } link)
            {
                // Resumed, distributor not linked yet: waits, and goes out before the job's result.
                job.Waiting.Add(publish);
                job.Published = true;
                return true;
            }
            if (IsStale(job) || !link.Send(publish))
            {
                return false;
            }
            if (job.PublishedOn is null)
            {
                job.Published = true;
                job.PublishedOn = link;
                job.PublishedGeneration = job.LinkGeneration;
            }
            return true;
        }
    }

    /// <summary>Sends a result on the job's connection (kept for the next one if it is down), or keeps it with a resumed job.</summary>
    private void SendResult(NodeJob job, Result result)
    {
        if (result.Final && _unacknowledged.Count < MaxUnacknowledged)
        {
            _unacknowledged[result.JobId] = result;
        }
        lock (_routesGate)
        {
            if (job.Link is { } link)
            {
                link.SendResult(result);
            }
            else
            {
                job.Waiting.Add(result);
            }
        }
    }

    /// <summary>
    /// A connection came up: resumed jobs of its distributor now belong to it. A job whose distributor
    /// matches no link once every link has connected (old record, distributor renamed or gone) goes to
    /// the first link that connects, as JobReactor did: a distributor that still knows the job settles it.
    /// </summary>
    private void Bind(DistributorLink link, int generation)
    {
        if (link.Generation != generation || !link.IsConnected)
        {
            return; // dropped again already; the next connection binds
        }
        var everyLinkKnown = _links.TrueForAll(l => l.Generation > 0);
        lock (_routesGate)
        {
            foreach (var job in _unbound.ToList())
            {
                var distributor = job.Record.Distributor;
                if (distributor == link.DistributorId || (everyLinkKnown && !_links.Exists(l => l.DistributorId == distributor)))
                {
                    BindLocked(job, link, generation);
                }
            }
        }
    }

    /// <summary>The distributor sent a job this node already holds (resumed, or kept across a reconnect).</summary>
    private void Adopt(NodeJob job, DistributorLink link, int generation)
    {
        lock (_routesGate)
        {
            if (job.Link is null)
            {
                BindLocked(job, link, generation);
            }
            else
            {
                job.LinkGeneration = generation;
                job.Link = link;
            }
        }
        // The adopter is where the job reports from now on, also after another restart of this node.
        job.Record.Distributor = link.DistributorId;
        // The copy's credit goes back now (by the caller); the job never holds a second one.
        job.CreditReturned = true;
        LogAdopted(_logger, job.Record.Name, job.Id, link.Address.ToString());
    }

    private void BindLocked(NodeJob job, DistributorLink link, int generation)
    {
        foreach (var message in job.Waiting)
        {
            if (message is Result result)
            {
                link.SendResult(result);
            }
            else
            {
                link.Send(message);
            }
        }
        job.Waiting.Clear();
        if (job.Published && job.PublishedOn is null)
        {
            job.PublishedOn = link;
            job.PublishedGeneration = generation;
        }
        job.Record.Distributor = link.DistributorId;
        job.LinkGeneration = generation;
        job.Link = link; // last: a publisher that sees it set sends behind the flushed messages
        _unbound.Remove(job);
    }

    /// <summary>
    /// True when the attempt that just ended published on a connection that has since dropped or
    /// been replaced: some publishes may be lost, and the distributor has dispatched the job again,
    /// so this attempt's outcome must not be reported (a stale result must not settle the job).
    /// </summary>
    private bool IsVoid(NodeJob job)
    {
        lock (_routesGate)
        {
            return job.PublishedOn is { } on && (on != job.Link || job.PublishedGeneration != job.LinkGeneration || IsStale(job));
        }
    }

    private void ResetPublished(NodeJob job)
    {
        lock (_routesGate)
        {
            job.Published = false;
            job.PublishedOn = null;
        }
    }

    private void Acknowledged(string jobId) => _unacknowledged.Remove(jobId);
}
