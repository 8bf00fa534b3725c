using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Scheduling;

/// <summary>EnqueueOptions.UniqueKey: one job per key in one app, across two app processes on one Redis, and the key's release.</summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class UniqueJobTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("reactor-unique-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
            await Task.Delay(20);
        }
    }

    private string[] Marks(string prefix) => Directory.GetFiles(_dir, prefix + "*");

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_duplicate_returns_the_first_jobs_id_hears_its_outcome_and_the_key_is_free_once_it_finished(bool durable)
    {
        var redis = durable ? await TestServices.RedisAsync() : null;
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.Name = $"unique-{Guid.NewGuid():N}";
        });
        cluster.StartNode("unique_node", "--merge-job-itself", "true");
        await cluster.WaitForNodesAsync(1);
        var key = $"report:{Guid.NewGuid():N}";
        var options = new EnqueueOptions { UniqueKey = key };
        var feedbacks = new ConcurrentQueue<string>();

        var first = cluster.Distributor.Enqueue("resume_hold", new { dir = _dir, key = "one" }, options, success: a => feedbacks.Enqueue("first"));
        var second = cluster.Distributor.Enqueue("resume_hold", new { dir = _dir, key = "two" }, options, success: a => feedbacks.Enqueue("second"));
        var third = cluster.Distributor.EnqueueAsync("resume_hold", new { dir = _dir, key = "three" }, options);
        await WaitUntilAsync(() => Marks("start-").Length == 1, "the job started");
        File.WriteAllText(Path.Combine(_dir, "release"), "");
        var thirdResult = await third.WaitAsync(Patience);
        await WaitUntilAsync(() => feedbacks.Count == 2, "both lambdas ran");
        var after = await cluster.Distributor.EnqueueAsync("resume_hold", new { dir = _dir, key = "after" }, options).WaitAsync(Patience);

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first), "the duplicate got the holder's id");
            Assert.That(thirdResult.JobId, Is.EqualTo(first), "EnqueueAsync of a duplicate completes with the holder's result");
            Assert.That(feedbacks, Is.EquivalentTo(new[] { "first", "second" }), "each lambda once");
            Assert.That(Marks("start-one-"), Has.Length.EqualTo(1), "the holder ran once");
            Assert.That(Marks("start-two-").Concat(Marks("start-three-")), Is.Empty, "the duplicates never ran");
            Assert.That(after.JobId, Is.Not.EqualTo(first), "once the holder finished, the key was free for a new job");
            Assert.That(Marks("done-after-"), Has.Length.EqualTo(1));
        });
    }

    /// <summary>
    /// UniqueUntil.Start on a real node whose one credit is taken (by <c>wait_for_cancel</c>), so the first job
    /// waits in the distributor: a duplicate then joins it; once it runs on the node, the key is free and the
    /// next enqueue is a new job (which holds the key until it starts in turn).
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task With_UniqueUntil_Start_a_duplicate_joins_the_job_before_it_starts_and_is_a_new_job_after(bool durable)
    {
        var redis = durable ? await TestServices.RedisAsync() : null;
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.Name = $"unique-start-{Guid.NewGuid():N}";
        });
        cluster.StartNode("unique_start_node", "--capacity", "1", "--merge-job-itself", "true");
        await cluster.WaitForNodesAsync(1);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blockerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = cluster.Distributor.Enqueue("wait_for_cancel", null, null, error: _ => blockerDone.TrySetResult(),
            cancelled: _ => blockerDone.TrySetResult(), progress: _ => running.TrySetResult());
        await running.Task.WaitAsync(Patience);
        var options = new EnqueueOptions { UniqueKey = $"start:{Guid.NewGuid():N}", UniqueUntil = UniqueUntil.Start };
        var feedbacks = new ConcurrentQueue<string>();
        string Hold(string key) =>
            cluster.Distributor.Enqueue("resume_hold", new { dir = _dir, key }, options, success: _ => feedbacks.Enqueue(key));

        var first = Hold("one");
        var beforeStart = Hold("two");
        Assert.That(cluster.Distributor.PendingCount, Is.EqualTo(1), "the first job waits for credit; the duplicate queued nothing");
        cluster.Distributor.Cancel(blocker);
        await blockerDone.Task.WaitAsync(Patience);
        await WaitUntilAsync(() => Marks("start-one-").Length == 1, "the first job started");
        var whileRunning = Hold("three");
        var beforeItsStart = Hold("four");
        File.WriteAllText(Path.Combine(_dir, "release"), "");
        await WaitUntilAsync(() => feedbacks.Count == 4, "every lambda ran");

        Assert.Multiple(() =>
        {
            Assert.That(beforeStart, Is.EqualTo(first), "before the start: the holder's id");
            Assert.That(whileRunning, Is.Not.EqualTo(first), "after the start: a new job");
            Assert.That(beforeItsStart, Is.EqualTo(whileRunning), "the new job holds the key until it starts");
            Assert.That(feedbacks, Is.EquivalentTo(new[] { "one", "two", "three", "four" }), "each lambda once, duplicates' with their holder");
            Assert.That(Marks("start-one-"), Has.Length.EqualTo(1));
            Assert.That(Marks("start-three-"), Has.Length.EqualTo(1));
            Assert.That(Marks("start-two-").Concat(Marks("start-four-")), Is.Empty, "the duplicates never ran");
        });
    }

    /// <summary>
    /// A delayed job is on the node (parked, holding no credit) long before it runs: with UniqueUntil.Start
    /// its key stays held until its due time.
    /// </summary>
    [Test]
    public async Task With_UniqueUntil_Start_a_delayed_job_holds_its_key_until_it_is_due()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("unique_due_node", "--merge-job-itself", "true");
        await cluster.WaitForNodesAsync(1);
        var options = new EnqueueOptions { UniqueKey = $"due:{Guid.NewGuid():N}", UniqueUntil = UniqueUntil.Start, After = TimeSpan.FromSeconds(4) };

        var first = cluster.Distributor.Enqueue("resume_hold", new { dir = _dir, key = "one" }, options);
        await WaitUntilAsync(() => cluster.Distributor.InFlightCount == 1, "the delayed job is on the node");
        var whileParked = cluster.Distributor.Enqueue("resume_hold", new { dir = _dir, key = "two" }, options);
        await WaitUntilAsync(() => Marks("start-one-").Length == 1, "the delayed job started");
        // The key goes by the distributor's timer at the due time, the node starts the job by its own:
        // allow the two clocks' timers a moment either way.
        var now = options with { After = null };
        var after = cluster.Distributor.Enqueue("resume_hold", new { dir = _dir, key = "three" }, now);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (after == first && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            after = cluster.Distributor.Enqueue("resume_hold", new { dir = _dir, key = "three" }, now);
        }
        // Only now may the first job finish: until here its key could only have gone by its start.
        File.WriteAllText(Path.Combine(_dir, "release"), "");
        await WaitUntilAsync(() => Marks("done-three-").Length == 1, "the new job ran");

        Assert.Multiple(() =>
        {
            Assert.That(whileParked, Is.EqualTo(first), "parked on the node but not started: the holder's id");
            Assert.That(after, Is.Not.EqualTo(first), "after its due time: a new job");
            Assert.That(Marks("start-two-"), Is.Empty);
        });
    }

    [Test]
    public async Task Cancel_and_UniqueFor_release_the_key()
    {
        await using var cluster = await Cluster.StartAsync();
        var key = $"k:{Guid.NewGuid():N}";
        // No node: the jobs wait in the distributor.
        var parked = cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueKey = key });
        Assert.That(cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueKey = key }), Is.EqualTo(parked));
        cluster.Distributor.Cancel(parked);
        var afterCancel = cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueKey = key });
        Assert.That(afterCancel, Is.Not.EqualTo(parked), "cancelling the holder released the key");

        var shortKey = $"short:{Guid.NewGuid():N}";
        var started = DateTimeOffset.UtcNow;
        var holder = cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueKey = shortKey, UniqueFor = TimeSpan.FromSeconds(1) });
        string next;
        do
        {
            await Task.Delay(50);
            next = cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueKey = shortKey, UniqueFor = TimeSpan.FromSeconds(1) });
        }
        while (next == holder && DateTimeOffset.UtcNow - started < Patience);
        Assert.That(next, Is.Not.EqualTo(holder), "the key expired although its holder never finished");
        Assert.That(DateTimeOffset.UtcNow - started, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "not before UniqueFor");
    }

    [Test]
    public async Task Bad_unique_keys_throw_at_enqueue_and_queue_nothing()
    {
        await using var cluster = await Cluster.StartAsync();
        var big = Assert.Throws<ArgumentException>(() => cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueKey = new string('k', 10 * 1024) }));
        var control = Assert.Throws<ArgumentException>(() => cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueKey = "a\nb" }));
        var blank = Assert.Throws<ArgumentException>(() => cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueKey = " " }));
        var orphanFor = Assert.Throws<ArgumentException>(() => cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueFor = TimeSpan.FromSeconds(1) }));
        var orphanUntil = Assert.Throws<ArgumentException>(() => cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { UniqueUntil = UniqueUntil.Start }));

        Assert.Multiple(() =>
        {
            Assert.That(big!.Message, Does.Contain("1 to 512 characters").And.Contain("10240"));
            Assert.That(control!.Message, Does.Contain("control character (U+000A) at index 1"));
            Assert.That(blank!.Message, Does.Contain("not blank"));
            Assert.That(orphanFor!.Message, Does.Contain("give a UniqueKey"));
            Assert.That(orphanUntil!.Message, Does.Contain("UniqueUntil applies to UniqueKey"));
            Assert.That(cluster.Distributor.GetSnapshot().Pending, Is.Empty, "nothing queued");
        });
    }

    /// <summary>
    /// Two application processes with their own distributors on one Redis enqueue the same unique key
    /// 50,000 times each, at once, from four threads each. One node serves both. Exactly one job runs;
    /// every Enqueue in both apps returned its id; the winning app ran every one of its lambdas once.
    /// </summary>
    [Test]
    public async Task Two_app_processes_racing_on_one_unique_key_run_one_job()
    {
        const int PerApp = 50_000;
        var redis = await TestServices.RedisAsync();
        var key = $"race:{Guid.NewGuid():N}";
        var (portA, portB) = (RedisServerProcess.FreePort(), RedisServerProcess.FreePort());
        await using var appA = ChildProcess.StartRepoApp("Reactor.TestApp", "unique", $"{portA}", redis, $"race-a-{Guid.NewGuid():N}", key, $"{PerApp}", _dir);
        await using var appB = ChildProcess.StartRepoApp("Reactor.TestApp", "unique", $"{portB}", redis, $"race-b-{Guid.NewGuid():N}", key, $"{PerApp}", _dir);
        await appA.WaitForLineAsync("listening", Patience);
        await appB.WaitForLineAsync("listening", Patience);
        await using var node = NodeProcess.Start("race_node", $"127.0.0.1:{portA}", Cluster.JobsDirectory,
            "--distributor", $"127.0.0.1:{portB}", "--merge-job-itself", "true", "--log-job-processing", "false", "--log-level", "Warning");
        await Task.Delay(1000); // set-up: both apps see the node before the race starts (they wait for it too)
        var started = DateTime.UtcNow;
        File.WriteAllText(Path.Combine(_dir, "go"), "");
        var idLines = new List<string>();
        foreach (var app in new[] { appA, appB })
        {
            await WaitUntilAsync(() => app.Lines.Any(l => l.StartsWith("ids ", StringComparison.Ordinal)), "the app finished enqueueing");
            idLines.Add(app.Lines.First(l => l.StartsWith("ids ", StringComparison.Ordinal)));
        }
        var raceSeconds = (DateTime.UtcNow - started).TotalSeconds;
        File.WriteAllText(Path.Combine(_dir, "release"), "");
        var feedbackLines = new List<string>();
        foreach (var app in new[] { appA, appB })
        {
            await WaitUntilAsync(() => app.Lines.Any(l => l.StartsWith("feedbacks ", StringComparison.Ordinal)), "the app counted its feedbacks");
            feedbackLines.Add(app.Lines.First(l => l.StartsWith("feedbacks ", StringComparison.Ordinal)));
        }

        TestContext.Out.WriteLine($"{2 * PerApp} enqueues in {raceSeconds:F1} s; {string.Join(" | ", idLines)}; {string.Join(" | ", feedbackLines)}");
        var ids = idLines.SelectMany(l => l.Split(' ').Skip(2)).Distinct().ToArray();
        var counts = feedbackLines.Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).OrderBy(n => n).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(idLines, Has.All.StartWith("ids 1 "), "each app got one id back for all its enqueues");
            Assert.That(ids, Has.Length.EqualTo(1), "and both got the same one");
            Assert.That(Marks("start-race-"), Has.Length.EqualTo(1), "one job ran");
            Assert.That(counts, Is.EqualTo(new[] { 0, PerApp }), "the winner's lambdas each ran once; the other app's never ran");
        });
    }
}
