using System.Collections.Concurrent;
using NUnit.Framework;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// Jobs that start on a node and then wait for the test to <see cref="Release"/> them, so the node is
/// holding in-flight work while something else happens; counts runs and feedbacks per job.
/// </summary>
internal sealed class HeldJobs(int count)
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<long, int> _feedbacks = new();
    private int _runs;

    public Task AllStarted => _allStarted.Task;

    /// <summary>How many times job code started, over all held jobs.</summary>
    public int Runs => Volatile.Read(ref _runs);

    public void Enqueue(ReactorDistributor distributor)
    {
        for (var i = 0; i < count; i++)
        {
            distributor.Enqueue("hold", new { i }, new EnqueueOptions { Node = "healthy" },
                success: a => Settled(a.Get<long>("i")),
                error: a => _allDone.TrySetException(new AssertionException($"held job failed: {a["error"]}")));
        }
    }

    /// <summary>The job body, on the node.</summary>
    public async Task RunAsync(JobArgs args)
    {
        if (Interlocked.Increment(ref _runs) == count)
        {
            _allStarted.TrySetResult();
        }
        await _release.Task;
        args["held"] = true;
    }

    public void Release() => _release.TrySetResult();

    /// <summary>Releases the jobs and asserts each has exactly one success feedback.</summary>
    public async Task AssertEachCompletesOnceAsync(TimeSpan patience)
    {
        Release();
        await _allDone.Task.WaitAsync(patience);
        Assert.That(_feedbacks, Has.Count.EqualTo(count));
        Assert.That(_feedbacks.Values.Distinct(), Is.EqualTo(new[] { 1 }), "each held job completed exactly once");
    }

    private void Settled(long i)
    {
        _feedbacks.AddOrUpdate(i, 1, (_, n) => n + 1);
        if (_feedbacks.Count == count)
        {
            _allDone.TrySetResult();
        }
    }
}
