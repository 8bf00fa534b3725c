using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Scheduling;

/// <summary>
/// <c>DistributorOptions.Limit</c> on real node processes, measured by the jobs themselves ("span" jobs
/// report when they started and stopped): per distributor in memory, and through Redis (single and
/// cluster) where it is the same code path every application instance takes.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class LimitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Two nodes with room for 10 each; "span" is limited to 3 at once. 60 jobs of 100 ms never run more
    /// than 3 at a time, and do reach 3 (the limit, not the nodes, is what holds them back).
    /// </summary>
    [TestCase(null)]
    [TestCase(TestServices.SingleRedis)]
    [TestCase(TestServices.ClusterRedis)]
    public async Task A_concurrency_limit_is_never_exceeded_on_two_nodes_with_room_for_more(string? backend)
    {
        const int Jobs = 60;
        var redis = backend is null ? null : await TestServices.RedisAsync(backend);
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.Name = $"limit-{Guid.NewGuid():N}";
            o.KeyPrefix = $"limit-{Guid.NewGuid():N}";
            o.Limit("span", concurrency: 3);
        });
        cluster.StartNode("limit_node_1", "--capacity", "10");
        cluster.StartNode("limit_node_2", "--capacity", "10");
        await cluster.WaitForNodesAsync(2);
        var spans = new LimitSpans();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        for (var i = 0; i < Jobs; i++)
        {
            cluster.Distributor.Enqueue("span", new { ms = 100 }, success: spans.Add,
                error: a => failed.TrySetException(new AssertionException($"job failed: {a["error"]}")));
        }
        await WaitAsync(() => spans.Count == Jobs, failed.Task);

        var max = LimitSpans.MaxOverlap(spans.All);
        TestContext.Out.WriteLine($"{backend ?? "memory"}: most at once {max}; nodes used {spans.All.Select(s => s.Pid).Distinct().Count()}");
        Assert.Multiple(() =>
        {
            Assert.That(max, Is.LessThanOrEqualTo(3), "never more than the limit at once");
            Assert.That(max, Is.EqualTo(3), "the limit was reached: the test measured something");
            Assert.That(spans.All.Select(s => s.Pid).Distinct().Count(), Is.EqualTo(2), "both nodes ran jobs");
            Assert.That(cluster.Distributor.PendingCount, Is.Zero);
        });
    }

    /// <summary>
    /// 50 starts per second over two nodes with room for 100 each: counted by the jobs' own start stamps,
    /// the first 10 s hold 500 starts within 10 %.
    /// </summary>
    [TestCase(null)]
    [TestCase(TestServices.SingleRedis)]
    public async Task A_rate_limit_is_kept_within_ten_percent_over_ten_seconds(string? backend)
    {
        const double Rate = 50;
        const int Jobs = 650;
        var redis = backend is null ? null : await TestServices.RedisAsync(backend);
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.Name = $"limit-{Guid.NewGuid():N}";
            o.KeyPrefix = $"limit-{Guid.NewGuid():N}";
            o.Limit("span", perSecond: Rate);
        });
        cluster.StartNode("rate_node_1", "--capacity", "100");
        cluster.StartNode("rate_node_2", "--capacity", "100");
        await cluster.WaitForNodesAsync(2);
        var spans = new LimitSpans();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        for (var i = 0; i < Jobs; i++)
        {
            cluster.Distributor.Enqueue("span", new { ms = 0 }, success: spans.Add,
                error: a => failed.TrySetException(new AssertionException($"job failed: {a["error"]}")));
        }
        await WaitAsync(() => spans.Count == Jobs, failed.Task);

        var inTen = LimitSpans.StartedWithin(spans.All, TimeSpan.FromSeconds(10));
        TestContext.Out.WriteLine($"{backend ?? "memory"}: {inTen} starts in the first 10 s (setting {Rate * 10}); busiest second {LimitSpans.BusiestSecond(spans.All)}");
        Assert.That(inTen, Is.InRange(Rate * 10 * 0.9, Rate * 10 * 1.1));
    }

    /// <summary>Waits for <paramref name="done"/>, failing at once when a job failed.</summary>
    internal static async Task WaitAsync(Func<bool> done, Task failed)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (failed.IsFaulted)
            {
                await failed;
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out");
            await Task.Delay(50);
        }
    }
}
