using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Flows;

/// <summary>
/// A fork/join parent on a node with Redis storage, killed with SIGKILL mid-publish and resumed from
/// storage by the restarted node (same name): the resumed attempt publishes the rest through a link
/// to its distributor and settles the job. Real node processes, real Redis, real SIGKILL.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class ForkJoinResumeTests
{
    private const int Children = 20;
    private const int Rounds = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task A_parent_killed_mid_publish_is_resumed_from_storage_publishes_the_rest_and_succeeds()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = "fjresume" + Guid.NewGuid().ToString("N")[..8];
        var finals = new ConcurrentBag<JobResult>();
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.KeyPrefix = prefix;
            o.Name = prefix;
            o.FlowRetention = TimeSpan.FromMinutes(5);
            o.OnResult("flow_finalize", finals.Add);
        });
        for (var round = 1; round <= Rounds; round++)
        {
            await RunRoundAsync(cluster, redis, round, finals);
        }
    }

    private static async Task RunRoundAsync(Cluster cluster, string redis, int round, ConcurrentBag<JobResult> finals)
    {
        var dir = Directory.CreateTempSubdirectory("reactor-fjresume-").FullName;
        try
        {
            var node = $"fj_resume_{Guid.NewGuid():N}"[..20];
            string[] nodeArgs = ["--storage", "redis", "--redis", redis, "--max-attempt", "2", "--merge-job-itself", "true",
                "--retry-multiplier", "0.1", "--log-job-processing", "true", "--log-level", "Information"];
            var victim = NodeProcess.Start(node, cluster.Address, Cluster.JobsDirectory, nodeArgs);
            await using var victimGuard = victim;
            await WaitUntilAsync(() => cluster.Distributor.ConnectedNodes.Contains(node), "the node connected", dir);
            var outcomes = new ConcurrentQueue<string>();
            var clock = Stopwatch.StartNew();

            var parent = cluster.Distributor.Enqueue("flow_slow_parent",
                new { dir, tag = $"round{round}", count = Children, pause_ms = 250 },
                success: _ => outcomes.Enqueue("success"), error: a => outcomes.Enqueue("error: " + a.Get<string>("error")));
            await WaitUntilAsync(() => Files(dir, "child-").Length >= 5, "5 children ran", dir);
            victim.Kill();
            await victim.WaitForExitAsync();
            var beforeKill = Files(dir, "child-").Length;
            await using var heir = NodeProcess.Start(node, cluster.Address, Cluster.JobsDirectory, nodeArgs);

            await WaitUntilAsync(() => !outcomes.IsEmpty, "the parent's final result", dir);
            await WaitUntilAsync(() => Files(dir, "finalize-").Length >= 1, "the join ran", dir);
            await WaitUntilAsync(() => cluster.Distributor.InFlightCount == 0 && cluster.Distributor.PendingCount == 0, "nothing in flight", dir);
            await Task.Delay(1000); // a duplicate result or a second join would show up within this

            var output = victim.Output.Concat(heir.Output).ToList();
            var childIds = Enumerable.Range(0, Children)
                .Select(i => Files(dir, $"child-{i}-").Select(f => Path.GetFileName(f)[..Path.GetFileName(f).LastIndexOf('-')]).Distinct().Count())
                .ToList();
            TestContext.Out.WriteLine($"round {round}: children run before the kill={beforeKill}, parent settled after {clock.Elapsed.TotalSeconds:F1} s, "
                + $"outcomes=[{string.Join("; ", outcomes)}], child executions={Files(dir, "child-").Length}, joins={Files(dir, "finalize-").Length}");
            Assert.Multiple(() =>
            {
                Assert.That(outcomes, Is.EqualTo(new[] { "success" }), "one final result for the parent, a success");
                Assert.That(Files(dir, "parent-failed-"), Is.Empty, "no attempt of the parent failed");
                Assert.That(output.Where(l => l.Contains(parent, StringComparison.Ordinal)
                    && (l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("void", StringComparison.Ordinal))), Is.Empty,
                    "no failed or void attempt logged for the parent");
                Assert.That(childIds, Has.All.EqualTo(1), "each child position was scheduled under exactly one id");
                Assert.That(Files(dir, "finalize-"), Has.Length.EqualTo(1), "the join ran exactly once");
                Assert.That(finals.Count(f => f.Args.Get<string>("tag") == $"round{round}"), Is.EqualTo(1), "one join result");
                Assert.That(Names(dir, $"parent-start-{victim.Id}-"), Is.EqualTo(new[] { "a1" }), "the first attempt ran on the killed node");
                Assert.That(Names(dir, $"parent-start-{heir.Id}-"), Is.EqualTo(new[] { "a2" }),
                    "the restarted node ran the parent once, resumed from storage (attempt 2), never the re-sent copy beside it");
                Assert.That(Files(dir, "parent-end-"), Has.Length.EqualTo(1), "the parent finished once");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string[] Files(string dir, string prefix) => Directory.GetFiles(dir, prefix + "*");

    /// <summary>The attempt part ("a2") of each marker file starting with <paramref name="prefix"/>.</summary>
    private static string[] Names(string dir, string prefix) =>
        Files(dir, prefix).Select(f => Path.GetFileName(f)[prefix.Length..].Split('-')[0]).ToArray();

    private static async Task WaitUntilAsync(Func<bool> condition, string what, string dir)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting until {what}; files: {string.Join(", ", Directory.GetFiles(dir).Select(Path.GetFileName))}");
            }
            await Task.Delay(50);
        }
    }
}
