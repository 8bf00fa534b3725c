namespace Reactor.Distributor;

// Jobs whose name no connected node announces: a typo or a node not deployed yet must not wait
// silently for the whole PendingTimeout.
internal sealed partial class Dispatcher
{
    /// <summary>Names with waiting jobs marked unknown (guarded by the lock), so clearing the marks skips every other queue.</summary>
    private readonly HashSet<string> _unknownNames = new(StringComparer.Ordinal);

    /// <summary>Every job name some connected node announces, sorted.</summary>
    public List<string> KnownJobNames()
    {
        lock (_gate)
        {
            return _nodes.SelectMany(n => n.JobNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The error of a job whose name stayed unknown; <paramref name="known"/> from <see cref="KnownJobNames"/>.</summary>
    public string UnknownError(JobEnvelope job, IReadOnlyList<string> known) =>
        $"job '{job.Name}' is not known to any connected node (known job names: {DescribeNames(known)}); "
        + $"no node announcing it joined within {options.UnknownJobTimeout.TotalSeconds:0.###} s (UnknownJobTimeout)";

    /// <summary>A readable list of job names, cut short so a node with thousands of jobs does not flood a log line.</summary>
    public static string DescribeNames(IReadOnlyList<string> names)
    {
        const int Shown = 20;
        if (names.Count == 0)
        {
            return "none";
        }
        var text = string.Join(", ", names.Take(Shown));
        return names.Count > Shown ? $"{text} and {names.Count - Shown} more" : text;
    }

    private bool IsKnown(string name)
    {
        foreach (var node in _nodes)
        {
            if (node.JobNames.Contains(name))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Under the lock, once per sweep: marks waiting jobs whose name became unknown (nodes connected
    /// after they were queued), unmarks jobs whose name a node now announces (it waits for credit) or
    /// that wait with no node at all (PendingTimeout applies), and takes those past UnknownJobTimeout.
    /// </summary>
    private void TakeUnknown(DateTimeOffset now, List<ExpiredJob> expired, List<string> newlyUnknown)
    {
        if (_nodes.Count == 0)
        {
            ClearUnknown(_unknownNames.ToList());
            return;
        }
        var known = _unknownNames.Where(IsKnown).ToList();
        ClearUnknown(known);
        foreach (var name in _pending.Names.Where(n => !IsKnown(n)).ToList())
        {
            if (_unknownNames.Add(name))
            {
                // Queued before any node was connected: the first node to join does not know it.
                newlyUnknown.Add(name);
            }
            foreach (var job in _pending.Waiting(name))
            {
                job.UnknownSince ??= now;
                if (now - job.UnknownSince >= options.UnknownJobTimeout)
                {
                    _pending.Remove(job);
                    expired.Add(new ExpiredJob(job, true));
                }
            }
            if (!_pending.HasWaiting(name))
            {
                _unknownNames.Remove(name);
            }
        }
    }

    private void ClearUnknown(List<string> names)
    {
        foreach (var name in names)
        {
            _unknownNames.Remove(name);
            foreach (var job in _pending.Waiting(name))
            {
                job.UnknownSince = null;
            }
        }
    }
}

/// <summary>What <see cref="Dispatcher.Submit"/> did with a job.</summary>
internal enum SubmitResult
{
    /// <summary>Sent to a node.</summary>
    Sent,
    /// <summary>Waiting for a node.</summary>
    Queued,
    /// <summary>Waiting, and the first waiting job of a name no connected node announces.</summary>
    UnknownName,
}

/// <summary>A job taken from the pending queue by the sweep; <paramref name="Unknown"/> when no connected node announced its name in time.</summary>
internal readonly record struct ExpiredJob(JobEnvelope Job, bool Unknown);
