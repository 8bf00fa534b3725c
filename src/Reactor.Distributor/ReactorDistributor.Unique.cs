using System.Collections.Concurrent;
using Reactor.Distributor;
using Reactor.Distributor.Feedback;
using Reactor.Distributor.Uniqueness;

namespace Reactor;

// EnqueueOptions.UniqueKey: one job per key until it settles or UniqueFor passes.
public sealed partial class ReactorDistributor
{
    private IUniqueKeys? _unique;

    /// <summary>Unique jobs enqueued here and not settled yet, by id: a duplicate of one of them attaches to it.</summary>
    private readonly ConcurrentDictionary<string, string> _uniqueHere = new(StringComparer.Ordinal);

    /// <summary>In Redis next to the journal when there is one (shared by every app on it), else in memory.</summary>
    private IUniqueKeys UniqueKeys => _unique ??= _journal is { } journal
        ? new RedisUniqueKeys(journal.Database, _options.KeyPrefix)
        : new MemoryUniqueKeys(_time);

    /// <summary>The feedback of a unique job: settling it releases its key.</summary>
    private JobFeedback WithRelease(JobEnvelope job, JobFeedback feedback) => job.UniqueKey is not { } key ? feedback : feedback with
    {
        Settled = result =>
        {
            UniqueKeys.Release(key, job.Id);
            _uniqueHere.TryRemove(job.Id, out _);
        },
    };

    /// <summary>
    /// Registers the job's feedback and, for a unique job, takes its key. Returns null when the job is to be
    /// queued (no key, or it holds the key now), else the holder's id: the duplicate's own entry is then gone
    /// and <paramref name="feedback"/> is attached to the holder if the holder lives here
    /// (<see cref="UniqueClaim.Attached"/>). With <paramref name="blocking"/> every wait is synchronous, so
    /// the returned task is already complete (for <c>Enqueue</c>, which must not wait on the thread pool).
    /// </summary>
    private async Task<UniqueClaim> RegisterAsync(JobEnvelope job, JobFeedback feedback, bool blocking)
    {
        if (job.UniqueKey is not { } key)
        {
            _feedback.Register(job.Id, feedback);
            return default;
        }
        var deadline = _time.GetUtcNow() + HolderSettleWait;
        string? lastHolder = null;
        while (true)
        {
            _feedback.Register(job.Id, feedback);
            _uniqueHere[job.Id] = key;
            var holder = blocking
                ? UniqueKeys.Claim(key, job.Id, job.UniqueFor)
                : await UniqueKeys.ClaimAsync(key, job.Id, job.UniqueFor).ConfigureAwait(false);
            if (holder is null)
            {
                return default;
            }
            _feedback.Forget(job.Id);
            _uniqueHere.TryRemove(job.Id, out _);
            if (_feedback.Attach(holder, feedback))
            {
                return new UniqueClaim(holder, Attached: true);
            }
            var local = _uniqueHere.ContainsKey(holder);
            if ((!local && holder == lastHolder) || _time.GetUtcNow() > deadline)
            {
                // Seen twice and never ours: another application instance holds the key.
                return new UniqueClaim(holder, Attached: false);
            }
            // The holder settled (or is settling) here a moment ago: its release is on the way, claim again.
            lastHolder = holder;
            if (local)
            {
                if (blocking)
                {
                    Thread.Sleep(1);
                }
                else
                {
                    await Task.Delay(1).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>How long a duplicate waits for a holder that is settling in this process to release its key.</summary>
    private static readonly TimeSpan HolderSettleWait = TimeSpan.FromSeconds(5);

    /// <summary>The outcome of <see cref="RegisterAsync"/>: the holder's id for a duplicate, null otherwise.</summary>
    private readonly record struct UniqueClaim(string? Holder, bool Attached);

    /// <summary>A unique job that never made it to the dispatcher (the journal refused it) gives its key back.</summary>
    private void ReleaseUnqueued(JobEnvelope job)
    {
        if (job.UniqueKey is { } key)
        {
            _uniqueHere.TryRemove(job.Id, out _);
            UniqueKeys.Release(key, job.Id);
        }
    }
}
