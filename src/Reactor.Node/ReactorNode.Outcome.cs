using Reactor.Node.Runtime;
using Reactor.Protocol.Messages;
using Reactor.Storage;

namespace Reactor;

// How a run ends: the next periodic slot, or one final result and the record's fate.
public sealed partial class ReactorNode
{
    private const string CancelledByApp = "cancelled by the application";
    private const string CancelledByJobText = "cancelled by the job: ";

    private void OnSucceeded(NodeJob job, JobArgs args)
    {
        if (job.CancelRequested)
        {
            Finish(job, JobOutcomeReason.CancelledByApplication, args, CancelledByApp);
            return;
        }
        var period = job.Record.Period;
        if (period is null && job.Record.Cron is null)
        {
            Finish(job, JobOutcomeReason.Completed, args, null);
            return;
        }
        // A periodic run: report it, then wait for the next slot. Attempts count per run.
        AttemptTracing.Ended(job.Span, "success");
        SendResult(job, new Result(job.Id, JobOutcome.Succeeded, args, null, false, job.Record.Attempt) { Reason = JobOutcomeReason.Completed });
        if (_options.LogJobProcessing)
        {
            LogJobFinished(_logger, job.Record.Name, job.Id, "run complete", AttemptMs(job));
        }
        if (IsStale(job))
        {
            End(job);
            return;
        }
        job.Record.Attempt = 0;
        job.Record.LastError = null;
        var slot = job.DueAt ?? _time.GetUtcNow();
        var next = period is { } every ? NextSlot(slot, every) : NextCronSlot(job.Record, slot);
        if (next is null)
        {
            // The calendar has no further slot (Cronos looks up to the year 2499): the job is done.
            job.Record.Period = null;
            job.Record.Cron = null;
            Finish(job, JobOutcomeReason.Completed, args, null);
            return;
        }
        job.DueAt = next;
        Park(job, next.Value, JobStatus.Queued);
    }

    /// <summary>
    /// The next slot after <paramref name="slot"/> that is not already past: runs keep to a fixed
    /// grid, and a run that overran skips the slots it missed instead of firing them in a burst.
    /// </summary>
    private DateTimeOffset NextSlot(DateTimeOffset slot, TimeSpan period)
    {
        var now = _time.GetUtcNow();
        var next = slot + period;
        if (next <= now)
        {
            var missed = (long)Math.Ceiling((now - next) / period);
            next += period * Math.Max(1, missed);
        }
        return next;
    }

    /// <summary>How long the last attempt took, job body and callbacks (0 for a job that never started one).</summary>
    private double AttemptMs(NodeJob job) =>
        job.AttemptStarted == 0 ? 0 : Math.Round(_time.GetElapsedTime(job.AttemptStarted).TotalMilliseconds, 1);

    /// <summary>
    /// The job's last word: one final result, the credit back, and the record kept or removed. The outcome
    /// follows from <paramref name="reason"/>, the node's one decision, so the two can never disagree; every
    /// outcome but success carries its <paramref name="error"/> text.
    /// </summary>
    private void Finish(NodeJob job, JobOutcomeReason reason, JobArgs args, string? error)
    {
        var outcome = JobOutcomeReasons.OutcomeOf(reason) ?? throw new ArgumentOutOfRangeException(nameof(reason));
        if (outcome == JobOutcome.Failed && IsStale(job))
        {
            // Superseded: the connection that sent the job dropped, so the distributor has dispatched it
            // again and that copy's outcome is the one that counts. Reporting this failure would let a
            // stale attempt win "first final result wins" over a later success.
            LogSuperseded(_logger, job.Record.Name, job.Id, job.Record.Attempt, error ?? "");
            End(job, keepRecord: false, touchStore: _store is { IsDurable: false });
            return;
        }
        if (error is not null)
        {
            // The args carry the text too: errbacks read it there, and so did distributors of protocol
            // version 1. The Error field is the one the distributor reads (protocol.md section 7.5).
            args["error"] = error;
        }
        job.Record.Status = outcome switch
        {
            JobOutcome.Succeeded => JobStatus.Complete,
            JobOutcome.Cancelled => JobStatus.Cancelled,
            _ => JobStatus.Failed,
        };
        // Counted before the result leaves: whoever reads the counter after the feedback sees this job in it.
        _metrics.Completed(job.Record.Name, outcome);
        AttemptTracing.Ended(job.Span, AttemptTracing.Outcome(outcome), outcome == JobOutcome.Succeeded ? null : error);
        SendResult(job, new Result(job.Id, outcome, args, error, true, job.Record.Attempt) { Reason = reason });
        if (_options.LogJobProcessing)
        {
            LogJobFinished(_logger, job.Record.Name, job.Id, job.Record.Status.ToString(), AttemptMs(job));
        }
        var remove = job.Record.Status switch
        {
            JobStatus.Complete => _options.RemoveDoneJobs,
            JobStatus.Cancelled => _options.RemoveCancelledJobs,
            _ => _options.RemoveFailedJobs,
        };
        End(job, keepRecord: !remove);
    }

    /// <summary>Forgets the job on this node; a timer entry still pointing at it is ignored when it fires.</summary>
    private void End(NodeJob job, bool keepRecord = false, bool touchStore = true)
    {
        job.Ended = true;
        _jobs.Remove(job.Id);
        ReleaseCredit(job);
        if (!touchStore)
        {
            // Handed back to the distributor: another node owns the record now, so a write of ours that
            // failed is not retried over its writes.
            DisownWrites(job);
            return;
        }
        if (keepRecord)
        {
            Persist(job);
        }
        else
        {
            Delete(job);
        }
    }
}
