using System.Diagnostics;
using Reactor.Distributor;
using Reactor.Distributor.Feedback;
using Reactor.Distributor.Flows;
using Reactor.Protocol.Messages;

namespace Reactor;

// Fork and join: tasks published by job code (Flow.PublishNext, EmitEvents, PublishOnEvents).
public sealed partial class ReactorDistributor : IFlowScheduler
{
    private FlowCoordinator? _flows;

    /// <summary>
    /// Starts a run: queues <paramref name="name"/> (<c>svc.task</c> for a task of service svc) and
    /// returns its id, which is also the run id that scopes the events of every task it leads to.
    /// </summary>
    public string Publish(string name, object? data = null, TimeSpan? delay = null) =>
        Enqueue(name, data, delay is { } after ? new EnqueueOptions { After = after } : null);

    /// <summary>Claims, events and triggers kept now (memory mode only; for tests and monitoring).</summary>
    internal IFlowStore? FlowStore => _flows?.Store;

    /// <summary>Claims live in Redis next to the journal when there is one, in memory otherwise.</summary>
    private void StartFlows()
    {
        IFlowStore store = _journal is { } journal
            ? new RedisFlowStore(journal.Database, journal.Keys, _options.FlowRetention, _time)
            : new MemoryFlowStore(_time, _options.FlowRetention);
        _flows = new FlowCoordinator(store, this, _time, _logger, _metrics);
        _context.Flows = _flows;
    }

    (JobEnvelope Job, byte[]? JournalEntry) IFlowScheduler.Prepare(string id, string name, JobArgs args, TimeSpan delay, Publish cause)
    {
        _codec.ValidateArgs(args);
        var now = _time.GetUtcNow();
        var runAt = delay > TimeSpan.Zero ? now + delay : (DateTimeOffset?)null;
        // The task's producer span is a child of the publishing job's span (the context its Publish carried);
        // with no listener here, that context passes on to the task as it came.
        ActivityContext.TryParse(cause.TraceParent, cause.TraceState, isRemote: true, out var parent);
        using var span = PublishTracing.Start(name, parent);
        PublishTracing.Identify(span, id, cause.ParentJobId);
        var (traceParent, traceState) = span is null ? (cause.TraceParent, cause.TraceState) : PublishTracing.Context(span);
        var dispatch = new Dispatch(id, name, args, runAt?.ToUnixTimeMilliseconds() ?? 0, 0, false, 0, 0, 0)
        {
            TraceParent = traceParent,
            TraceState = traceState,
        };
        var job = new JobEnvelope(dispatch, null, null, (runAt ?? now) + _options.PendingTimeout)
        {
            EnqueuedAt = _metrics.EnqueueTimestamp(),
        };
        return (job, _journal?.Encode(job));
    }

    void IFlowScheduler.Submit(JobEnvelope job)
    {
        // Results of published tasks reach the app through DistributorOptions.OnResult handlers.
        _options.ResultHandlers.TryGetValue(job.Name, out var handler);
        _feedback.Register(job.Id, new JobFeedback(job.Name, null, null, null, handler));
        _dispatcher.Submit(job);
        _metrics.Enqueued(job.Name);
    }
}
