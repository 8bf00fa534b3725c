using System.Collections.Concurrent;
using System.Net;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// A durable distributor whose journal lives on a real Redis Cluster (its own: this test kills a
/// master) while the master that serves the distributor's hash slot is SIGKILLed and its replica
/// takes over. Enqueue calls during the failover either return (and their job runs, its feedback
/// once) or throw <see cref="JournalWriteException"/>; none returns and vanishes.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class RedisClusterFailoverTests
{
    private const int Jobs = 1_500;
    private const int KillAt = 400;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Test]
    public async Task A_cluster_master_killed_and_its_replica_promoted_mid_run_loses_no_job_and_runs_each_feedback_once()
    {
        await using var redis = await RedisClusterProcess.StartAsync();
        var name = "failover-" + Guid.NewGuid().ToString("N")[..6];
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis.Address;
            o.Name = name;
        });
        cluster.StartNode("failover_node");
        await cluster.WaitForNodesAsync(1);
        await using var admin = await redis.ConnectAsync();
        var endpoint = (IPEndPoint)admin.GetDatabase().IdentifyEndpoint($"reactor:dist:{{{name}}}:jobs")!;
        var victim = redis.Servers.Single(s => s.Port == endpoint.Port);

        var feedback = new ConcurrentDictionary<int, int>();
        var returned = new ConcurrentBag<int>();
        var refused = 0;
        var afterFailover = 0;
        var failedOver = false;
        for (var i = 0; i < Jobs; i++)
        {
            if (i == KillAt)
            {
                await victim.KillAsync();
                TestContext.Out.WriteLine($"killed the master on port {victim.Port} (slot of {name}) after {KillAt} enqueues");
            }
            if (i > KillAt && !failedOver)
            {
                failedOver = await HealthyAsync(redis);
            }
            var n = i;
            try
            {
                cluster.Distributor.Enqueue("add", new { a = n, b = 1 }, success: _ => feedback.AddOrUpdate(n, 1, (_, c) => c + 1));
                returned.Add(n);
                if (failedOver)
                {
                    afterFailover++;
                }
            }
            catch (JournalWriteException)
            {
                refused++;
            }
        }
        await redis.WaitUntilHealthyAsync(Patience);

        var deadline = DateTime.UtcNow + Patience;
        while (returned.Any(n => !feedback.ContainsKey(n)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        var lost = returned.Count(n => !feedback.ContainsKey(n));
        var duplicates = feedback.Values.Sum(c => c - 1);
        TestContext.Out.WriteLine($"enqueued={Jobs} returned={returned.Count} refused={refused} returned_after_failover={afterFailover} " +
            $"lost={lost} duplicate_feedbacks={duplicates}");
        Assert.That(lost, Is.Zero, "every job whose Enqueue returned ran and reported");
        Assert.That(duplicates, Is.Zero, "each feedback ran once");
        Assert.That(feedback.Keys.Except(returned), Is.Empty, "no feedback for a job whose Enqueue threw");
        Assert.That(afterFailover, Is.GreaterThan(0), "the journal took writes again once the replica was promoted");
    }

    private static async Task<bool> HealthyAsync(RedisClusterProcess redis)
    {
        try
        {
            await redis.WaitUntilHealthyAsync(TimeSpan.Zero);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
