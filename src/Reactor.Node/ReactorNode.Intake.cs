using System.Buffers;
using Reactor.Node.Links;
using Reactor.Node.Runtime;
using Reactor.Protocol.Messages;
using Reactor.Storage;

namespace Reactor;

// How jobs arrive, wait and leave: everything here runs on the reactor loop.
public sealed partial class ReactorNode
{
    /// <summary>Scratch buffer for encoding a parking job's args (loop only).</summary>
    private readonly ArrayBufferWriter<byte> _argsScratch = new();

    private void Accept(DistributorLink link, int generation, Dispatch dispatch)
    {
        if (_draining)
        {
            // The distributor stopped sending after our Goodbye; anything that crossed it goes back
            // when the connection closes, because the distributor still counts it as in flight.
            return;
        }
        if (generation != link.Generation || !link.IsConnected)
        {
            // It came on a connection that has dropped since (it waited behind a busy or stalled
            // loop): the distributor already counts it as lost and sends it elsewhere.
            return;
        }
        if (_jobs.TryGetValue(dispatch.JobId, out var held))
        {
            // The same job again: resumed from storage, or still running from a dropped connection.
            // One copy runs; it now belongs to this connection, where the distributor expects its outcome.
            Adopt(held, link, generation);
            link.ReturnCredit();
            return;
        }
        if (_unacknowledged.TryGetValue(dispatch.JobId, out var settled))
        {
            // Finished here, but the distributor sent the job before our final result reached it (or the
            // result was lost with a connection): answer with that result instead of running it again.
            link.SendResult(settled);
            link.ReturnCredit();
            return;
        }
        if (!_catalog.TryGet(dispatch.Name, out _))
        {
            var unknown = $"node '{Name}' has no job named '{dispatch.Name}'";
            var args = dispatch.Args.Clone();
            args["error"] = unknown;
            link.SendResult(new Result(dispatch.JobId, JobOutcome.Failed, args, unknown, true, 0) { Reason = JobOutcomeReason.UnknownJob });
            link.ReturnCredit();
            return;
        }
        var job = NodeJob.FromWire(dispatch.JobId, dispatch.Name, dispatch.Args, link, link.DistributorId, dispatch.RunAtUnixMs,
            dispatch.PeriodMs, dispatch.Defer, dispatch.MaxAttempt, dispatch.RetryMultiplierMs, dispatch.TimeoutMs);
        job.LinkGeneration = generation;
        if (dispatch.Cron is not null)
        {
            job.Cron = dispatch.Cron;
            job.TimeZone = dispatch.TimeZone;
            job.CronMisfire = dispatch.CronMisfire;
        }
        if (dispatch.TraceParent is not null)
        {
            job.SetTraceContext(dispatch.TraceParent, dispatch.TraceState);
        }
        _jobs.Add(job.Id, job);
        var runAt = CronDue(job.Record, job.Record.RunAt);
        if (runAt is { } due && due > _time.GetUtcNow())
        {
            job.DueAt = due;
            Park(job, due, JobStatus.Queued);
        }
        else
        {
            job.DueAt = _time.GetUtcNow();
            // StartAttempt saves the record (in progress) straight away; saving it as new first was a
            // second store write per job that nothing could observe.
            StartAttempt(job);
        }
    }

    /// <summary>
    /// Puts the job on the timer queue; while it waits it holds no credit, and its args wait encoded
    /// (a parked job is mostly memory, and a million of them may wait at once).
    /// </summary>
    private void Park(NodeJob job, DateTimeOffset due, JobStatus status)
    {
        job.Record.Status = status;
        job.Record.RunAt = due;
        job.Record.MakeAfter = due - _time.GetUtcNow();
        job.EncodeArgs(_argsScratch);
        Persist(job);
        _timers.Schedule(job, due);
        ReleaseCredit(job);
    }

    private void OnDue(NodeJob job)
    {
        if (!job.Ended)
        {
            _metrics.DueWorkStarted(job.Record.RunAt);
            StartAttempt(job);
        }
    }

    private void CancelFromApp(string jobId)
    {
        if (!_jobs.TryGetValue(jobId, out var job))
        {
            return;
        }
        if (job.Running)
        {
            // Its token fires: code that honours it ends the attempt as cancelled; code that ignores it is
            // abandoned after CancellationGrace. Either way the job ends as cancelled instead of repeating or retrying.
            job.CancelRequested = true;
            CancelRunning(job);
            return;
        }
        Finish(job, JobOutcomeReason.CancelledByApplication, job.NewArgs(), CancelledByApp);
    }

    /// <summary>
    /// The connection a job came on dropped. The distributor dispatches its unfinished jobs again,
    /// so waiting jobs from that connection are dropped here to avoid running them twice; running
    /// ones finish and their results wait for the next connection.
    /// </summary>
    private void Abandon(DistributorLink link, int generation)
    {
        var abandoned = 0;
        foreach (var job in _jobs.Values.Where(j => j.Link == link && j.LinkGeneration == generation && !j.Running).ToList())
        {
            // With shared (Redis) storage the record stays: the node that gets the job next saves
            // it under its own name; in memory it would only leak.
            End(job, keepRecord: false, touchStore: _store is { IsDurable: false });
            abandoned++;
        }
        if (abandoned > 0)
        {
            LogAbandoned(_logger, abandoned, link.Address.ToString());
        }
    }

    /// <summary>Marks jobs resumed from storage until a connection to their distributor adopts them (<see cref="Bind"/>).</summary>
    private const int DurableGeneration = -1;

    /// <summary>True when the job came on a connection that has since dropped: another node owns it now.</summary>
    private static bool IsStale(NodeJob job) =>
        job.LinkGeneration != DurableGeneration && (job.Link is not { } link || job.LinkGeneration != link.Generation || !link.IsConnected);

    private void ReleaseCredit(NodeJob job)
    {
        if (job.CreditReturned)
        {
            return;
        }
        job.CreditReturned = true;
        if (!IsStale(job))
        {
            job.Link?.ReturnCredit();
        }
    }

    /// <summary>Hops link events onto the reactor loop.</summary>
    private sealed class LinkHandler(ReactorNode node) : ILinkHandler
    {
        // One small state object per dispatch and a shared callback, instead of a closure plus a delegate.
        public void OnDispatch(DistributorLink link, int generation, Dispatch dispatch) =>
            node._loop.Post(AcceptCallback, new Arrival(node, link, generation, dispatch));

        // One loop step for a whole batch: one queue entry and one wake-up of the loop instead of one per job.
        public void OnDispatches(DistributorLink link, int generation, IReadOnlyList<Dispatch> dispatches) =>
            node._loop.Post(AcceptAllCallback, new Arrivals(node, link, generation, dispatches));

        public void OnCancel(DistributorLink link, Cancel cancel) =>
            node._loop.Post(() => node.CancelFromApp(cancel.JobId));

        public void OnDisconnected(DistributorLink link, int generation) =>
            node._loop.Post(() => node.Abandon(link, generation));

        public void OnConnected(DistributorLink link, int generation) =>
            node._loop.Post(() => node.Bind(link, generation));

        public bool WithholdCredit => node._storeWrites.IsFull;

        // One per final result: a shared callback with the node and id as state, no closure.
        public void OnResultAck(DistributorLink link, ResultAck ack) =>
            node._loop.Post(AckCallback, new Acknowledgement(node, ack.JobId));

        // One loop step per acknowledged range, whatever its length.
        public void OnResultsAcknowledged(DistributorLink link, List<string> jobIds) =>
            node._loop.Post(RangeCallback, new Acknowledgements(node, jobIds));

        private static readonly SendOrPostCallback RangeCallback = static state =>
        {
            var acks = (Acknowledgements)state!;
            foreach (var jobId in acks.JobIds)
            {
                acks.Node.Acknowledged(jobId);
            }
        };

        private static readonly SendOrPostCallback AcceptAllCallback = static state =>
        {
            var arrivals = (Arrivals)state!;
            foreach (var dispatch in arrivals.Dispatches)
            {
                arrivals.Node.Accept(arrivals.Link, arrivals.Generation, dispatch);
            }
        };

        private static readonly SendOrPostCallback AcceptCallback = static state =>
        {
            var arrival = (Arrival)state!;
            arrival.Node.Accept(arrival.Link, arrival.Generation, arrival.Dispatch);
        };

        private static readonly SendOrPostCallback AckCallback = static state =>
        {
            var ack = (Acknowledgement)state!;
            ack.Node.Acknowledged(ack.JobId);
        };

        private sealed record Acknowledgement(ReactorNode Node, string JobId);

        private sealed record Acknowledgements(ReactorNode Node, List<string> JobIds);

        private sealed record Arrival(ReactorNode Node, DistributorLink Link, int Generation, Dispatch Dispatch);

        private sealed record Arrivals(ReactorNode Node, DistributorLink Link, int Generation, IReadOnlyList<Dispatch> Dispatches);
    }
}
