using Reactor.Node.Runtime;
using Reactor.Storage;

namespace Reactor;

// RetryJobsAtStart: a node with Redis storage picks up where it was killed.
public sealed partial class ReactorNode
{
    /// <summary>
    /// Loads this node's unfinished records and schedules them again: waiting jobs at their time,
    /// interrupted ones at once. Finished records (complete, failed, cancelled) never run again.
    /// A job the distributor meanwhile sent to another node sharing this Redis is no longer indexed
    /// under this node (saving it there moved it), so it is not resumed twice. Runs before any link
    /// dials, so a copy the distributor re-sends always finds the resumed job by id.
    /// </summary>
    private async Task ResumeStoredJobsAsync(CancellationToken cancellationToken)
    {
        if (!_options.RetryJobsAtStart || _store is { IsDurable: false } || (_links.Count == 0 && _options.Discover is null))
        {
            return;
        }
        var records = await _store!.JobsForAsync(_options.Name, cancellationToken).ConfigureAwait(false);
        var unfinished = records.Where(r => !r.IsFinished && _catalog.TryGet(r.Name, out _)).ToList();
        if (unfinished.Count == 0)
        {
            return;
        }
        await _loop.InvokeAsync(() =>
        {
            foreach (var record in unfinished)
            {
                Resume(record);
            }
            return true;
        }).ConfigureAwait(false);
        LogResumed(_logger, unfinished.Count, _options.Name);
    }

    private void Resume(JobRecord record)
    {
        if (_jobs.ContainsKey(record.Id))
        {
            return;
        }
        // No connection yet: the job's publishes and results wait for a link to the distributor named
        // in its record (Bind), or for that distributor's copy of the job (Adopt), whichever comes first.
        var job = new NodeJob(record, record.Args, null)
        {
            LinkGeneration = DurableGeneration,
            CreditReturned = true,
        };
        _jobs.Add(job.Id, job);
        lock (_routesGate)
        {
            _unbound.Add(job);
        }
        var now = _time.GetUtcNow();
        if (record.Status == JobStatus.InProgress && record.Attempt > 0)
        {
            // It was running when the node died: that attempt counts, the next one starts now.
            record.Status = JobStatus.Error;
            record.LastError ??= "interrupted: the node stopped during this attempt";
        }
        var due = record.Status == JobStatus.Queued ? CronDue(record, record.RunAt) ?? now : now;
        due = due > now ? due : now;
        job.DueAt = due;
        Park(job, due, record.Status == JobStatus.New ? JobStatus.Queued : record.Status);
    }
}
