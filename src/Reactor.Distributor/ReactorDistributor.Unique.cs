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

    /// <summary>UniqueUntil.Start jobs handed to a node ahead of their due time: each releases its key when due.</summary>
    private readonly ConcurrentDictionary<string, ITimer> _releaseWhenDue = new(StringComparer.Ordinal);

    /// <summary>The feedback of a unique job: settling it releases its key (again, harmlessly, after UniqueUntil.Start released it).</summary>
    private JobFeedback WithRelease(JobEnvelope job, JobFeedback feedback) => job.UniqueKey is not { } key ? feedback : feedback with
    {
        Settled = result =>
        {
            if (_releaseWhenDue.TryRemove(job.Id, out var timer))
            {
                timer.Dispose();
            }
            UniqueKeys.Release(key, job.Id);
            _uniqueHere.TryRemove(job.Id, out _);
        },
    };

    /// <summary>With <see cref="UniqueUntil.Start"/>, the job gives its key back when it starts (<see cref="Started"/>).</summary>
    private void ReleaseOnStart(JobEnvelope job)
    {
        if (job.UniqueKey is not null && job.UniqueUntil == UniqueUntil.Start)
        {
            job.OnFirstSend = Started;
        }
    }

    /// <summary>
    /// The job went to a node with credit for it, which starts it on arrival when it is due, else at its due
    /// time (it holds no credit while it waits there): the key goes now, or by a timer then. Runs under the
    /// dispatcher's lock; a release is a brief map update or a fire-and-forget Redis script.
    /// </summary>
    private void Started(JobEnvelope job)
    {
        var key = job.UniqueKey!;
        var wait = DateTimeOffset.FromUnixTimeMilliseconds(job.Dispatch.RunAtUnixMs) - _time.GetUtcNow();
        if (job.Dispatch.RunAtUnixMs == 0 || wait <= TimeSpan.Zero)
        {
            UniqueKeys.Release(key, job.Id);
            return;
        }
        var timer = _time.CreateTimer(static state =>
        {
            var (self, job) = ((ReactorDistributor, JobEnvelope))state!;
            if (self._releaseWhenDue.TryRemove(job.Id, out var due))
            {
                due.Dispose();
                self.UniqueKeys.Release(job.UniqueKey!, job.Id);
            }
        }, (this, job), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // Armed only once it is in the map, so the callback always finds it there.
        _releaseWhenDue[job.Id] = timer;
        timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A stopping distributor releases no more keys by timer (its Redis connection is closing).</summary>
    private void StopReleaseTimers()
    {
        foreach (var id in _releaseWhenDue.Keys)
        {
            if (_releaseWhenDue.TryRemove(id, out var timer))
            {
                timer.Dispose();
            }
        }
    }

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
