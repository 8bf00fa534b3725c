using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Scheduling;

/// <summary>
/// EnqueueOptions.Priority on a real node process whose credit window is full: a capacity-1 node runs
/// <c>wait_for_cancel</c>, so every job enqueued meanwhile waits in the distributor until the test cancels
/// it. The jobs measure their own start order: <c>stamp</c> numbers its starts in the node process
/// (the millisecond clock gives ties between jobs that start back to back).
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class PriorityTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Holds the node's one credit until <see cref="Release"/>.</summary>
    private sealed record Blocker(string Id, Task Done);

    private static async Task<Blocker> FillTheWindowAsync(Cluster cluster)
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = cluster.Distributor.Enqueue("wait_for_cancel", null, null,
            success: _ => done.TrySetResult(), error: _ => done.TrySetResult(), cancelled: _ => done.TrySetResult(),
            progress: _ => running.TrySetResult());
        await running.Task.WaitAsync(Patience);
        Assert.That(cluster.Distributor.InFlightCount, Is.EqualTo(1), "the node's one credit is taken");
        return new Blocker(id, done.Task);
    }

    private static async Task ReleaseAsync(Cluster cluster, Blocker blocker)
    {
        Assert.That(cluster.Distributor.Cancel(blocker.Id), Is.EqualTo(CancelResult.Requested));
        await blocker.Done.WaitAsync(Patience);
    }

    private static Task<JobResult> Stamp(Cluster cluster, JobPriority priority) =>
        cluster.Distributor.EnqueueAsync("stamp", null, new EnqueueOptions { Priority = priority });

    /// <summary>The jobs in the order they started, by the sequence number each took when it started.</summary>
    private static async Task<List<T>> StartOrderAsync<T>(List<(T Tag, Task<JobResult> Result)> jobs)
    {
        var results = await Task.WhenAll(jobs.Select(j => j.Result)).WaitAsync(Patience);
        var order = jobs.Zip(results).OrderBy(p => p.Second.Args.Get<long>("start_seq")).ToList();
        TestContext.Out.WriteLine("start order: " + string.Join(", ", order.Select(p => $"{p.First.Tag}#{p.Second.Args.Get<long>("start_seq")}")));
        Assert.That(results.Select(r => r.Args.Get<long>("start_seq")).Distinct().Count(), Is.EqualTo(results.Length), "one start each");
        return order.Select(p => p.First.Tag).ToList();
    }

    [Test]
    public async Task Jobs_waiting_for_credit_start_high_then_normal_then_low_each_in_enqueue_order()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("priority_node", "--capacity", "1");
        await cluster.WaitForNodesAsync(1);
        var blocker = await FillTheWindowAsync(cluster);

        // Interleaved, so neither enqueue order nor level order alone gives the expected start order.
        var jobs = new List<(string Tag, Task<JobResult> Result)>();
        for (var i = 0; i < 4; i++)
        {
            foreach (var priority in new[] { JobPriority.Low, JobPriority.Normal, JobPriority.High })
            {
                jobs.Add(($"{priority}{i}", Stamp(cluster, priority)));
            }
        }
        Assert.That(cluster.Distributor.PendingCount, Is.EqualTo(jobs.Count), "every job waits for credit");
        await ReleaseAsync(cluster, blocker);

        var order = await StartOrderAsync(jobs);
        string[] expected =
        [
            "High0", "High1", "High2", "High3",
            "Normal0", "Normal1", "Normal2", "Normal3",
            "Low0", "Low1", "Low2", "Low3",
        ];
        Assert.That(order, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_low_job_that_waited_PriorityAging_starts_before_high_jobs_enqueued_after_it()
    {
        var aging = TimeSpan.FromSeconds(2);
        await using var cluster = await Cluster.StartAsync(o => o.PriorityAging = aging);
        cluster.StartNode("aging_node", "--capacity", "1");
        await cluster.WaitForNodesAsync(1);
        var blocker = await FillTheWindowAsync(cluster);

        var jobs = new List<(string Tag, Task<JobResult> Result)> { ("low", Stamp(cluster, JobPriority.Low)) };
        for (var i = 0; i < 5; i++)
        {
            jobs.Add(($"high{i}", Stamp(cluster, JobPriority.High)));
        }
        // Let the waiting jobs age past the bound (time passing is the point here, not a wait for an event).
        await Task.Delay(aging + TimeSpan.FromMilliseconds(500));
        for (var i = 5; i < 10; i++)
        {
            jobs.Add(($"high{i}", Stamp(cluster, JobPriority.High)));
        }
        Assert.That(cluster.Distributor.PendingCount, Is.EqualTo(jobs.Count), "every job waits for credit");
        await ReleaseAsync(cluster, blocker);

        // Aged jobs go oldest first whatever their level, so the low job is first; without the bound it
        // would wait for all ten high jobs.
        var order = await StartOrderAsync(jobs);
        Assert.That(order, Is.EqualTo(new[] { "low" }.Concat(Enumerable.Range(0, 10).Select(i => $"high{i}"))));
    }

    /// <summary>
    /// Jobs journaled while no node was connected are recovered by a restarted distributor with their
    /// priorities: the node that then connects (capacity 1) starts the high ones first.
    /// </summary>
    [Test]
    public async Task Priorities_survive_an_app_restart_with_the_journal()
    {
        var redis = await TestServices.RedisAsync();
        var name = $"priority-{Guid.NewGuid():N}";
        void Configure(DistributorOptions o)
        {
            o.Redis = redis;
            o.Name = name;
        }
        var ids = new List<(string Tag, string Id)>();
        await using (var first = await Cluster.StartAsync(Configure))
        {
            // No node: the jobs wait, journaled, and the app stops before any runs.
            for (var i = 0; i < 3; i++)
            {
                foreach (var priority in new[] { JobPriority.Low, JobPriority.High })
                {
                    ids.Add(($"{priority}{i}", first.Distributor.Enqueue("stamp", null, new EnqueueOptions { Priority = priority })));
                }
            }
        }

        await using var second = await Cluster.StartAsync(Configure);
        Assert.That(await Wait.UntilAsync(() => second.Distributor.PendingCount == ids.Count, Patience), Is.True, "every job recovered");
        second.StartNode("restart_priority_node", "--capacity", "1");
        await second.WaitForNodesAsync(1);
        var results = new List<(string Tag, JobResult Result)>();
        foreach (var (tag, id) in ids)
        {
            JobResult? result = null;
            Assert.That(await Wait.UntilAsync(() => (result = second.Distributor.GetResultAsync(id).GetAwaiter().GetResult()) is not null, Patience),
                Is.True, $"{tag} finished");
            results.Add((tag, result!));
        }

        var order = results.OrderBy(r => r.Result.Args.Get<long>("start_seq")).Select(r => r.Tag).ToList();
        TestContext.Out.WriteLine("start order: " + string.Join(", ", order));
        Assert.That(order.Take(3), Is.All.StartsWith("High"), "the recovered high jobs first");
        Assert.That(order.Skip(3), Is.All.StartsWith("Low"));
    }
}
