using Reactor.Node.Runtime;
using Reactor.Protocol.Messages;
using Reactor.Storage;

namespace Reactor;

// The loop's watchdog: job code that blocks the reactor thread past its timeout is failed from
// outside, and the loop moves to a fresh thread so the jobs behind it run.
public sealed partial class ReactorNode
{
    /// <summary>Called on the watchdog's timer thread when one piece of work held the loop past its limit.</summary>
    private void OnLoopStall(LoopStall stall)
    {
        var step = stall.Step as AttemptStep;
        // Claimed before the thread is replaced, so the blocked attempt, if its code ever returns,
        // finds it lost the race and touches nothing.
        var blockedAttempt = step is not null && step.TryAbandon();
        var abandonedThread = _loop.ReplaceThread(stall.Turn);
        if (blockedAttempt)
        {
            var job = step!.Job;
            LogJobBlockedLoop(_logger, job.Record.Name, job.Id, stall.Held, stall.Limit, abandonedThread ?? -1);
            _loop.Post(() => FailBlocked(step, stall));
            return;
        }
        if (abandonedThread is null)
        {
            return;
        }
        // Not a job attempt we can fail (an errback, a callback after its attempt ended, node code):
        // we cannot tell which jobs are affected, so every job this node holds goes back to the
        // distributor, which counts the loss against them (MaxDispatches) and sends them elsewhere.
        LogLoopStalled(_logger, stall.Held, abandonedThread.Value, step?.Job.Record.Name ?? "(not job code)");
        if (step is not null)
        {
            _loop.Post(() => Forget(step.Job));
        }
        foreach (var link in _links)
        {
            link.Drop();
        }
    }

    /// <summary>
    /// Ends an attempt whose code blocked the loop past its timeout: a final error and no retry, since
    /// a retry would block the loop again. Errbacks do not run (they are loop code too, and the
    /// blocked thread may still be writing to the attempt's args).
    /// </summary>
    private void FailBlocked(AttemptStep step, LoopStall stall)
    {
        var job = step.Job;
        job.Running = false;
        Interlocked.Decrement(ref _running);
        if (job.Ended || job.AttemptToken != step.Token)
        {
            return;
        }
        if (job.CancelRequested)
        {
            Finish(job, JobOutcomeReason.CancelledByApplication, job.OriginalArgs.Clone(), CancelledByApp);
            return;
        }
        var error = $"TimeoutException: job '{job.Record.Name}' held the reactor loop for {stall.Held.TotalSeconds:0.#} s, "
            + $"over its limit of {stall.Limit.TotalSeconds:0.#} s (blocking code must run with Defer); "
            + "its thread was abandoned and the job is not retried";
        job.Record.LastError = error;
        job.Record.FailedAt = _time.GetUtcNow();
        Finish(job, JobOutcomeReason.BlockedLoop, job.OriginalArgs.Clone(), error);
    }

    /// <summary>A job whose code is stuck outside a failable attempt: it went back to the distributor with the links.</summary>
    private void Forget(NodeJob job)
    {
        if (job.Running)
        {
            job.Running = false;
            Interlocked.Decrement(ref _running);
        }
        if (!job.Ended)
        {
            End(job, keepRecord: false, touchStore: _store is { IsDurable: false });
        }
    }
}
