using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Storage;

// The monitor reads through each node's index, never across keys, so it works on a cluster as well.
[TestFixture(TestServices.SingleRedis)]
[TestFixture(TestServices.ClusterRedis)]
public sealed class RedisMonitorTests(string backend)
{
    private const string Worker = "worker_1";
    private const string OtherWorker = "worker_2";

    private ConnectionMultiplexer _redis = null!;
    private RedisJobStore _store = null!;
    private RedisMonitor _monitor = null!;

    [OneTimeSetUp]
    public async Task Connect() => _redis = await ConnectionMultiplexer.ConnectAsync(await TestServices.RedisAsync(backend));

    [OneTimeTearDown]
    public async Task Disconnect() => await _redis.DisposeAsync();

    [SetUp]
    public async Task Seed()
    {
        var prefix = RedisTestKeys.UniquePrefix();
        _store = new RedisJobStore(_redis, new RedisJobStoreOptions { KeyPrefix = prefix });
        _monitor = await RedisMonitor.ConnectAsync(await TestServices.RedisAsync(backend), prefix);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_000);
        await _store.SaveAsync(Job("queued-1", Worker, JobStatus.Queued, runAt: now.AddMinutes(5)));
        await _store.SaveAsync(Job("queued-2", Worker, JobStatus.Queued));
        await _store.SaveAsync(Job("failed-old", Worker, JobStatus.Failed, failedAt: now.AddHours(-2), error: "TimeoutException: slow"));
        await _store.SaveAsync(Job("failed-new", Worker, JobStatus.Failed, failedAt: now, error: "IOException: disk full\n   at Write()"));
        await _store.SaveAsync(Job("elsewhere", OtherWorker, JobStatus.InProgress));
    }

    [TearDown]
    public async Task CleanUp()
    {
        await RedisTestKeys.DeleteAsync(_redis, _store, [Worker, OtherWorker]);
        await _monitor.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Test]
    public void JobsFor_lists_the_nodes_jobs()
    {
        Assert.That(_monitor.JobsFor(Worker).Select(j => j.Id), Is.EquivalentTo(new[] { "queued-1", "queued-2", "failed-old", "failed-new" }));
        Assert.That(_monitor.JobsFor("nobody"), Is.Empty);
    }

    [Test]
    public void Load_returns_the_job_or_null()
    {
        Assert.That(_monitor.Load("elsewhere")!.Node, Is.EqualTo(OtherWorker));
        Assert.That(_monitor.Load("missing"), Is.Null);
    }

    [Test]
    public async Task Destroy_removes_one_job()
    {
        Assert.That(_monitor.Destroy("queued-1"), Is.True);
        Assert.That(await _monitor.DestroyAsync("queued-1"), Is.False);
        Assert.That(_monitor.Load("queued-1"), Is.Null);
        Assert.That(_monitor.JobsFor(Worker), Has.Count.EqualTo(3));
    }

    [Test]
    public void DestroyAllJobsFor_removes_the_nodes_jobs_and_counts_them()
    {
        Assert.That(_monitor.DestroyAllJobsFor(Worker), Is.EqualTo(4));
        Assert.That(_monitor.JobsFor(Worker), Is.Empty);
        Assert.That(_monitor.JobsFor(OtherWorker), Has.Count.EqualTo(1));
    }

    [Test]
    public void CountsByStatus_counts_every_status()
    {
        var counts = _monitor.CountsByStatus(Worker);

        Assert.That(counts.Keys, Is.EquivalentTo(Enum.GetValues<JobStatus>()));
        Assert.That(counts[JobStatus.Queued], Is.EqualTo(2));
        Assert.That(counts[JobStatus.Failed], Is.EqualTo(2));
        Assert.That(counts[JobStatus.Complete], Is.Zero);
    }

    [Test]
    public void Failed_lists_failed_jobs_most_recent_first_with_their_errors()
    {
        var failed = _monitor.Failed(Worker);

        Assert.That(failed.Select(j => j.Id), Is.EqualTo(new[] { "failed-new", "failed-old" }));
        Assert.That(failed[0].LastError, Does.StartWith("IOException: disk full"));
    }

    [Test]
    public void FormatTable_shows_one_aligned_row_per_job()
    {
        var table = RedisMonitor.FormatTable(_monitor.Failed(Worker));
        var lines = table.TrimEnd('\n').Split('\n');

        Assert.That(lines, Has.Length.EqualTo(5), table);
        Assert.That(lines[0], Does.StartWith("ID").And.Contain("NAME").And.Contain("STATUS").And.Contain("LAST_ERROR"));
        Assert.That(lines[2], Does.StartWith("failed-new").And.Contain("failed").And.Contain("IOException: disk full"));
        Assert.That(lines[2], Does.Not.Contain("at Write()"), "only the first line of an error");
        Assert.That(lines[2].IndexOf("send_mail", StringComparison.Ordinal), Is.EqualTo(lines[0].IndexOf("NAME", StringComparison.Ordinal)));
        Assert.That(lines[3].IndexOf(Worker, StringComparison.Ordinal), Is.EqualTo(lines[0].IndexOf("NODE", StringComparison.Ordinal)));
        Assert.That(lines[4], Is.EqualTo("(2 jobs)"));
    }

    [Test]
    public void FormatTable_cuts_long_values()
    {
        var job = Job("long", Worker, JobStatus.Failed, error: new string('e', 500));

        var row = RedisMonitor.FormatTable([job]).Split('\n')[2];

        Assert.That(row, Does.EndWith("..."));
        Assert.That(row, Has.Length.LessThan(220));
    }

    private static JobRecord Job(
        string id, string node, JobStatus status, DateTimeOffset? runAt = null, DateTimeOffset? failedAt = null, string? error = null) => new()
    {
        Id = id,
        Name = "send_mail",
        Args = new JobArgs { ["to"] = "someone@example.com" },
        Node = node,
        Status = status,
        RunAt = runAt,
        FailedAt = failedAt,
        LastError = error,
        Attempt = status == JobStatus.Failed ? 3 : 0,
    };
}
