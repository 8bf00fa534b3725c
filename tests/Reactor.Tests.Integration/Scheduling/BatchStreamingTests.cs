using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Scheduling;

/// <summary>
/// EnqueueMany as a stream (docs/scheduling.md, "Batches"): a million lazily generated items run exactly once
/// within the batch window's memory, and an item that goes bad past the window stops the batch there.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class BatchStreamingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    /// <summary>The app's managed heap (GC.GetTotalMemory, sampled) may grow by at most this much during the million-job batch.</summary>
    private const long HeapGrowthBound = 160L * 1024 * 1024;

    /// <summary>
    /// One EnqueueMany call with 1,000,000 items from a lazy generator, on one node process with memory storage.
    /// Without the window the distributor would hold a million jobs (over a gigabyte); with it, the generator
    /// never runs far ahead of the settled jobs, and the heap stays bounded (measured: ~35 MiB above the baseline
    /// with the default window of 10,000; ~33 s on a loaded 2-core machine).
    /// </summary>
    [Test]
    public async Task A_million_items_stream_through_EnqueueMany_run_exactly_once_and_keep_the_heap_bounded()
    {
        const int Jobs = 1_000_000;
        const int Window = 10_000;
        await using var cluster = await Cluster.StartAsync(o => o.BatchWindow = Window);
        cluster.StartNode("million_node", "--capacity", "2000");
        await cluster.WaitForNodesAsync(1);
        await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 1 }).WaitAsync(Patience);

        // Success lambdas run one at a time on the delivery loop: plain increments are safe.
        var runs = new byte[Jobs];
        var settled = 0;
        var produced = 0;
        var batches = new ConcurrentQueue<BatchResult>();
        var maxAhead = 0;
        IEnumerable<object?> Items()
        {
            for (var i = 0; i < Jobs; i++)
            {
                var ahead = Interlocked.Increment(ref produced) - Volatile.Read(ref settled);
                if (ahead > maxAhead)
                {
                    maxAhead = ahead;
                }
                yield return new { a = i, b = 0 };
            }
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(20);
            }
        });
        var clock = Stopwatch.StartNew();

        var ids = await Task.Run(() => cluster.Distributor.EnqueueMany("add", Items(),
            onBatchComplete: batches.Enqueue,
            success: a =>
            {
                runs[a.Get<int>("a")]++;
                Interlocked.Increment(ref settled);
            }));
        var enqueued = clock.Elapsed;
        var deadline = DateTime.UtcNow + Patience;
        while (batches.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        // Anything else the batch would post lands on the same delivery loop before this job's feedback.
        await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 1 }).WaitAsync(Patience);
        var finished = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;

        TestContext.Out.WriteLine($"{Jobs:N0} jobs: EnqueueMany returned after {enqueued.TotalSeconds:F1} s, all settled after {finished.TotalSeconds:F1} s; "
            + $"heap baseline {baseline / 1048576} MiB, peak {peak / 1048576} MiB; generator at most {maxAhead:N0} items ahead of settled jobs");
        Assert.That(ids, Has.Count.EqualTo(Jobs));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(Jobs), "a million distinct ids");
        Assert.That(batches.ToArray(), Is.EqualTo(new[] { new BatchResult(Jobs, Jobs, 0, 0) }), "one batch feedback, a million successes");
        Assert.That(runs.Count(r => r != 1), Is.Zero, "every job's success feedback ran exactly once");
        // The window counts jobs whose result was recorded; the success lambdas counted here run a little later on
        // the delivery loop, so the generator may lead them by the window, one chunk and the lambdas' backlog.
        Assert.That(maxAhead, Is.LessThan(3 * Window), "the enqueuer waited for its jobs instead of reading ahead");
        Assert.That(peak - baseline, Is.LessThan(HeapGrowthBound), $"heap grew by {(peak - baseline) / 1048576} MiB");
    }

    /// <summary>
    /// Past the window a batch is no longer all or nothing: a bad item stops it there, the jobs before it run,
    /// and the one batch feedback counts exactly them.
    /// </summary>
    [Test]
    public async Task A_bad_item_past_the_window_stops_the_batch_there_and_the_feedback_counts_what_was_queued()
    {
        await using var cluster = await Cluster.StartAsync(o => o.BatchWindow = 100);
        cluster.StartNode("window_node", "--capacity", "50");
        await cluster.WaitForNodesAsync(1);
        var batches = new ConcurrentQueue<BatchResult>();
        var ran = 0;
        IEnumerable<object?> Items()
        {
            for (var i = 0; i < 1_000; i++)
            {
                yield return i == 250 ? new { a = new object(), b = 0 } : new { a = i, b = 0 };
            }
        }

        var e = Assert.Throws<ArgumentException>(() => cluster.Distributor.EnqueueMany("add", Items(),
            onBatchComplete: batches.Enqueue, success: _ => Interlocked.Increment(ref ran)));

        // Window 100, then chunks of 100: items 0-199 were queued when item 250's chunk was read.
        Assert.That(e!.Message, Does.StartWith("batch item 250:").And.Contain("items 0 to 199 were queued"));
        var deadline = DateTime.UtcNow + Patience;
        while (batches.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 1 }).WaitAsync(Patience);
        Assert.That(batches.ToArray(), Is.EqualTo(new[] { new BatchResult(200, 200, 0, 0) }));
        Assert.That(ran, Is.EqualTo(200));
    }

    [TestCase(0)]
    [TestCase(-5)]
    public void A_batch_window_below_one_is_refused_at_start(int window)
    {
        var error = Assert.Throws<ArgumentException>(() => new DistributorOptions { BatchWindow = window }.Validate());

        Assert.That(error!.Message, Does.Contain("BatchWindow must be at least 1"));
    }
}
