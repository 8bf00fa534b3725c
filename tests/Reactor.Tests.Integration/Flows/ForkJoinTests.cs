using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Flows;

/// <summary>
/// Fork and join on a real Redis with node child processes (the FlowJobs module). Jobs leave one
/// file per execution in a fresh directory, so executions are counted across processes.
/// </summary>
// Once against a single server and once against a Redis Cluster: the claim, the journal entry it
// writes and the scope's keys share the distributor's hash slot.
[TestFixture(TestServices.SingleRedis)]
[TestFixture(TestServices.ClusterRedis)]
[CancelAfter(180_000)]
public sealed class ForkJoinTests(string backend)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string[] Fast = ["--retry-multiplier", "0.1", "--retry-backoff", "Linear", "--max-attempt", "5"];

    private string _dir = "";
    private string _prefix = "";

    [SetUp]
    public void CreateDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), "reactor-flow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _prefix = "flowtest" + Guid.NewGuid().ToString("N")[..8];
    }

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Five_parallel_tasks_some_retried_join_into_one_finalize_with_five_events()
    {
        var finals = new ConcurrentBag<JobResult>();
        await using var cluster = await StartAsync(o => o.OnResult("flow_finalize", finals.Add));
        cluster.StartNode("flow_1", Fast);
        cluster.StartNode("flow_2", Fast);
        await cluster.WaitForNodesAsync(2);
        string[] names = ["e0", "e1", "e2", "e3", "e4"];

        var run = cluster.Distributor.Publish("flow_fan_out", new { dir = _dir, tag = "five", names });

        await WaitForFilesAsync("finalize-five-", 1);
        await WaitUntilAsync(() => finals.Count >= 1);
        await Task.Delay(1500); // time for a duplicate to show up, if there were one
        Assert.That(Files("finalize-five-"), Has.Length.EqualTo(1), "finalize ran exactly once");
        Assert.That(finals, Has.Count.EqualTo(1));
        var seen = Lines(Files("finalize-five-")[0]);
        Assert.That(seen, Is.EquivalentTo(names), "finalize received every event once");
        Assert.That(finals.Single().Args.Get<string>("run_id"), Is.EqualTo(run));
        Assert.That(finals.Single().JobId, Does.StartWith(run + ":"));
        Assert.That(Files("part-0-"), Has.Length.EqualTo(2), "part 0 failed once and was retried");
        Assert.That(Files("part-1-"), Has.Length.EqualTo(2), "part 1 emitted, failed, and emitted again");
        Assert.That(Files("part-2-"), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Five_users_forking_across_two_services_each_finalize_once()
    {
        await using var cluster = await StartAsync();
        cluster.StartNode("svc_a_1", [.. Fast, "--service", "svc_a"]);
        cluster.StartNode("svc_b_1", [.. Fast, "--service", "svc_b"]);
        await cluster.WaitForNodesAsync(2);
        var users = Enumerable.Range(1, 5).Select(i => $"u{i}").ToArray();

        await Task.WhenAll(users.Select(user => Task.Run(() => cluster.Distributor.Publish("svc_a.flow_user", new { dir = _dir, user }))));

        foreach (var user in users)
        {
            await WaitForFilesAsync($"done-{user}-", 1);
        }
        await Task.Delay(1500);
        Assert.Multiple(() =>
        {
            foreach (var user in users)
            {
                var done = Files($"done-{user}-");
                Assert.That(done, Has.Length.EqualTo(1), $"{user} finalized once");
                Assert.That(Path.GetFileName(done[0]), Does.StartWith($"done-{user}-svc_a-"), "the join runs on the parent's service");
                Assert.That(File.ReadAllText(done[0]), Is.EqualTo("a,b,c"));
                Assert.That(Files($"step-{user}-a-svc_a-"), Has.Length.EqualTo(1), "a plain name stays in the parent's service");
                Assert.That(Files($"step-{user}-b-svc_b-"), Has.Length.EqualTo(1), "svc_b.flow_step runs on svc_b");
                Assert.That(Files($"step-{user}-c-svc_b-"), Has.Length.EqualTo(1));
            }
        });
    }

    [Test]
    public async Task A_parent_killed_after_publishing_one_of_three_publishes_the_other_two_once_and_the_first_not_again()
    {
        await using var cluster = await StartAsync();
        var first = cluster.StartNode("flow_victim", Fast);
        await cluster.WaitForNodesAsync(1);

        cluster.Distributor.Publish("flow_pause_parent", new { dir = _dir });
        await WaitForFilesAsync("mark-A-", 1);
        // A finished and was settled: only the paused parent is still on the node.
        await WaitUntilAsync(() => cluster.Distributor.InFlightCount == 1);
        first.Kill();
        await File.WriteAllTextAsync(Path.Combine(_dir, "go"), "");
        cluster.StartNode("flow_heir", Fast);

        await WaitForFilesAsync("mark-B-", 1);
        await WaitForFilesAsync("mark-C-", 1);
        await WaitUntilAsync(() => cluster.Distributor.InFlightCount == 0 && cluster.Distributor.PendingCount == 0);
        await Task.Delay(1000);
        Assert.That(Files("parent-"), Has.Length.EqualTo(2), "the parent ran again on the second node");
        Assert.That(Files("mark-A-"), Has.Length.EqualTo(1), "A was not published again");
        Assert.That(Files("mark-B-"), Has.Length.EqualTo(1));
        Assert.That(Files("mark-C-"), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task A_trigger_registered_after_its_events_still_fires_once_and_odd_event_names_are_kept()
    {
        var finals = new ConcurrentBag<JobResult>();
        await using var cluster = await StartAsync(o => o.OnResult("flow_finalize", finals.Add));
        cluster.StartNode("flow_late", Fast);
        await cluster.WaitForNodesAsync(1);
        string[] names = ["say \"hi\"", "{braces}", "a\"}{\"b", "[1,2]"];

        cluster.Distributor.Publish("flow_emit", new { dir = _dir, tag = "late", names, then_register = true });

        await WaitForFilesAsync("finalize-late-", 1);
        await WaitUntilAsync(() => finals.Count >= 1);
        await Task.Delay(1000);
        Assert.That(Files("finalize-late-"), Has.Length.EqualTo(1));
        Assert.That(finals.Single().Args.Get<List<object?>>("event_names"), Is.EqualTo(names), "in emission order");
    }

    [Test]
    public async Task FlowReader_and_the_dashboard_show_a_runs_events_and_its_fired_and_waiting_triggers()
    {
        var redis = await TestServices.RedisAsync(backend);
        await using var cluster = await StartAsync();
        cluster.StartNode("flow_reader", Fast);
        await cluster.WaitForNodesAsync(1);
        string[] names = ["first", "<script>alert(9)</script>"];
        var fired = cluster.Distributor.Publish("flow_emit", new { dir = _dir, tag = "read", names, then_register = true });
        var waiting = cluster.Distributor.Publish("flow_trigger", new { dir = _dir, tag = "never", names = new[] { "never-emitted" } });
        await WaitForFilesAsync("finalize-read-", 1);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var reader = FlowReader.Create(connection, _prefix, _prefix);

        FlowScopeDetails? waitingDetails = null;
        await WaitUntilAsync(() => (waitingDetails = reader.GetAsync("run:" + waiting).GetAwaiter().GetResult()) is not null, "the waiting trigger");
        var list = await reader.ListAsync();
        var firedDetails = await reader.GetAsync("run:" + fired);

        Assert.That(list.Items.Select(i => i.Scope), Is.EquivalentTo(new[] { "run:" + fired, "run:" + waiting }));
        Assert.That(list.Total, Is.EqualTo(2));
        Assert.That(firedDetails!.Events.Select(e => e.Name), Is.EqualTo(names), "in emission order");
        Assert.That(firedDetails.Events[0].Data["emitted"], Is.EqualTo("first"));
        var trigger = firedDetails.Triggers.Single();
        Assert.That((trigger.Task, trigger.Fired, trigger.Missing.Count), Is.EqualTo(("flow_finalize", true, 0)));
        Assert.That(trigger.Events, Is.EquivalentTo(names));
        Assert.That(waitingDetails!.Triggers.Single().Missing, Is.EqualTo(new[] { "never-emitted" }));
        Assert.That(waitingDetails.Triggers.Single().Fired, Is.False);
        Assert.That(await reader.GetAsync("run:no-such-run"), Is.Null);

        await using var site = await Reactor.Tests.Integration.Dashboard.DashboardSite.StartAsync(o =>
        {
            o.Distributor = () => cluster.Distributor;
            o.Redis = redis;
            o.KeyPrefix = _prefix;
            o.DistributorName = _prefix;
        });
        using var http = new HttpClient();
        var page = await http.GetStringAsync(site.Root + "/reactor/flows");
        Assert.That(page, Does.Contain("run:" + fired).And.Contain("run:" + waiting));
        var detail = await http.GetStringAsync(site.Root + "/reactor/flows/" + Uri.EscapeDataString("run:" + fired));
        Assert.That(detail, Does.Contain("flow_finalize").And.Contain("data-state=\"fired\"").And.Contain("&lt;script&gt;alert(9)&lt;/script&gt;"));
        Assert.That(detail, Does.Not.Contain("<script>alert(9)"), "event names show as text");
        var open = await http.GetStringAsync(site.Root + "/reactor/flows/" + Uri.EscapeDataString("run:" + waiting));
        Assert.That(open, Does.Contain("data-state=\"waiting\"").And.Contain("never-emitted"));
        var missing = await http.GetAsync(site.Root + "/reactor/flows/run%3Ano-such-run");
        Assert.That((int)missing.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task Global_events_fire_a_trigger_of_another_run()
    {
        await using var cluster = await StartAsync();
        cluster.StartNode("flow_global", Fast);
        await cluster.WaitForNodesAsync(1);
        string[] names = [$"global-{Guid.NewGuid():N}"];

        var waiting = cluster.Distributor.Publish("flow_trigger", new { dir = _dir, tag = "global", names, global = true });
        var emitting = cluster.Distributor.Publish("flow_emit", new { dir = _dir, tag = "global", names, global = true });

        await WaitForFilesAsync("finalize-global-", 1);
        await Task.Delay(1000);
        Assert.That(Files("finalize-global-"), Has.Length.EqualTo(1));
        Assert.That(waiting, Is.Not.EqualTo(emitting));
    }

    [Test]
    public async Task Flow_keys_are_gone_after_the_retention()
    {
        var redis = await TestServices.RedisAsync(backend);
        await using var cluster = await StartAsync(o => o.FlowRetention = TimeSpan.FromSeconds(2));
        cluster.StartNode("flow_expiry", Fast);
        await cluster.WaitForNodesAsync(1);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);

        cluster.Distributor.Publish("flow_emit", new { dir = _dir, tag = "expiry", names = new[] { "x", "y" }, then_register = true });
        await WaitForFilesAsync("finalize-expiry-", 1);
        Assert.That(RedisTestScan.Keys(connection, _prefix + ":flow:*"), Is.Not.Empty, "claims, events and triggers were written");

        await WaitUntilAsync(() => RedisTestScan.Keys(connection, _prefix + ":flow:*").Count == 0);
        Assert.That(RedisTestScan.Keys(connection, _prefix + ":flow:*"), Is.Empty);
    }

    private async Task<Cluster> StartAsync(Action<DistributorOptions>? configure = null)
    {
        var redis = await TestServices.RedisAsync(backend);
        return await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.KeyPrefix = _prefix;
            o.Name = _prefix;
            o.FlowRetention = TimeSpan.FromMinutes(5); // the test's keys do not outlive it by a day
            configure?.Invoke(o);
        });
    }

    private string[] Files(string prefix) => Directory.GetFiles(_dir, prefix + "*");

    private static string[] Lines(string path) => File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private async Task WaitForFilesAsync(string prefix, int count) =>
        await WaitUntilAsync(() => Files(prefix).Length >= count, $"{count} file(s) {prefix}*");

    private async Task WaitUntilAsync(Func<bool> condition, string? what = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what ?? "the condition"}; files: {string.Join(", ", Directory.GetFiles(_dir).Select(Path.GetFileName))}");
            }
            await Task.Delay(50);
        }
    }
}
