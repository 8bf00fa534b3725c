using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// Several instances of one application, each with its own distributor and journal name, sharing one
/// Redis and three node processes (each node connected to every instance). Every job reports to the
/// instance that enqueued it; an instance killed with SIGKILL mid-burst is restarted under the same
/// name and gets the results of its journalled jobs, while the other instance is not disturbed.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class ManyAppInstancesTests
{
    private const int PerApp = 2_000;
    private const int KillAt = 800;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Test]
    public async Task Two_app_instances_and_three_nodes_on_one_redis_each_job_reports_to_its_app_and_a_killed_app_resumes_by_name()
    {
        var redis = await TestServices.RedisAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var (nameA, nameB) = ($"app-a-{tag}", $"app-b-{tag}");
        var (portA, portB) = (RedisServerProcess.FreePort(), RedisServerProcess.FreePort());
        string[] both = ["--distributor", $"127.0.0.1:{portB}", "--log-job-processing", "false", "--log-level", "Warning"];
        var nodes = Enumerable.Range(1, 3).Select(i => NodeProcess.Start($"shared_node_{i}_{tag}", $"127.0.0.1:{portA}", Cluster.JobsDirectory, both)).ToList();
        try
        {
            await using var appB = ChildProcess.StartRepoApp("Reactor.TestApp", "steady", $"{portB}", redis, $"{PerApp}", nameB);
            List<string> returnedA;
            HashSet<string> beforeKill;
            await using (var appA = ChildProcess.StartRepoApp("Reactor.TestApp", "burst", $"{portA}", redis, $"{PerApp}", $"{KillAt}", nameA))
            {
                await appA.WaitForExitAsync(Patience);
                returnedA = [.. Keys(appA.Lines, "enqueued ")];
                beforeKill = Keys(appA.Lines, "success ");
                Assert.That(appA.Lines, Does.Not.Contain("finished without the kill"));
            }
            await using var restartedA = ChildProcess.StartRepoApp("Reactor.TestApp", "serve", $"{portA}", redis, nameA);
            var owedA = returnedA.Where(k => !beforeKill.Contains(k)).ToHashSet();
            await WaitUntilAsync(() => !owedA.Except(Keys(restartedA.Lines, "result ")).Any() && Keys(appB.Lines, "success ").Count >= PerApp);

            var resultsA = Keys(restartedA.Lines, "result ");
            var successB = Keys(appB.Lines, "success ");
            var lostA = owedA.Count(k => !resultsA.Contains(k));
            var lostB = Keys(appB.Lines, "enqueued ").Count(k => !successB.Contains(k));
            var duplicatesB = appB.Lines.Count(l => l.StartsWith("success ", StringComparison.Ordinal)) - successB.Count;
            var duplicatesA = restartedA.Lines.Count(l => l.StartsWith("result ", StringComparison.Ordinal)) - resultsA.Count + resultsA.Count(beforeKill.Contains);
            TestContext.Out.WriteLine($"A: returned={returnedA.Count} before_kill={beforeKill.Count} after_restart={resultsA.Count} lost={lostA} duplicates={duplicatesA}; " +
                $"B: returned={PerApp} succeeded={successB.Count} lost={lostB} duplicates={duplicatesB}");
            Assert.That(returnedA, Has.Count.GreaterThanOrEqualTo(KillAt - 1));
            Assert.That(lostA, Is.Zero, "the killed instance got every journalled job's result after its restart");
            Assert.That(lostB, Is.Zero, "the other instance got every result");
            Assert.That(duplicatesB, Is.Zero, "each feedback of the undisturbed instance ran once");
            Assert.That(successB.Where(k => !k.StartsWith(nameB + "-", StringComparison.Ordinal)), Is.Empty, "B saw only B's jobs");
            Assert.That(resultsA.Concat(beforeKill).Where(k => !k.StartsWith(nameA + "-", StringComparison.Ordinal)), Is.Empty, "A saw only A's jobs");
            await AssertSettledAsync(redis, nameA);
            await AssertSettledAsync(redis, nameB);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static HashSet<string> Keys(IEnumerable<string> lines, string prefix) =>
        lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Split(' ')[0]).ToHashSet();

    private static async Task AssertSettledAsync(string address, string name)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(address);
        var db = redis.GetDatabase();
        await WaitUntilAsync(() => db.HashLength($"reactor:dist:{{{name}}}:jobs") == 0 && db.SetLength($"reactor:dist:{{{name}}}:undelivered") == 0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out");
            await Task.Delay(200);
        }
    }
}
