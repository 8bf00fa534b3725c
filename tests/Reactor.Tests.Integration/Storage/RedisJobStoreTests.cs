using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Storage;

/// <summary>Redis-only behaviour: the stored layout, damaged records, expiry and key escaping.</summary>
[TestFixture]
public sealed partial class RedisJobStoreTests
{
    private const string Node = "worker_1";
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(2);

    private ConnectionMultiplexer _redis = null!;
    private IDatabase _db = null!;
    private CapturingLogger _logger = null!;
    private FakeTimeProvider _time = null!;
    private RedisJobStore _store = null!;
    private readonly HashSet<string> _nodes = [];
    private readonly List<RedisKey> _strayKeys = [];

    [OneTimeSetUp]
    public async Task Connect()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(await TestServices.RedisAsync());
        _db = _redis.GetDatabase();
    }

    [OneTimeTearDown]
    public async Task Disconnect() => await _redis.DisposeAsync();

    [SetUp]
    public void CreateStore()
    {
        _logger = new CapturingLogger();
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new RedisJobStoreOptions { KeyPrefix = RedisTestKeys.UniquePrefix(), CompletedRecordTtl = Ttl };
        _store = new RedisJobStore(_redis, options, _logger, _time);
        _nodes.Clear();
        _strayKeys.Clear();
    }

    [TearDown]
    public async Task CleanUp()
    {
        await RedisTestKeys.DeleteAsync(_redis, _store, _nodes.Append(Node));
        await _db.KeyDeleteAsync([.. _strayKeys]);
        await _store.DisposeAsync();
    }

    [Test]
    public async Task The_record_is_a_hash_with_JobReactors_field_names_indexed_under_its_node()
    {
        var job = FullJob("job-1");
        job.Status = JobStatus.InProgress;

        await _store.SaveAsync(job);

        var fields = (await _db.HashGetAllAsync(_store.Keys.Job("job-1"))).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.That(fields.Keys, Is.EquivalentTo(new[]
        {
            "id", "name", "args", "run_at", "failed_at", "last_error", "period", "defer", "status", "attempt", "make_after",
            "distributor", "on_success", "on_error", "node", "max_attempt", "retry_multiplier", "timeout", "v",
        }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fields["status"], Is.EqualTo("in progress"));
            Assert.That(fields["run_at"], Is.EqualTo(job.RunAt!.Value.ToUnixTimeMilliseconds().ToString()));
            Assert.That(fields["period"], Is.EqualTo("300000"));
            Assert.That(fields["defer"], Is.EqualTo("1"));
            Assert.That(fields["on_success"], Is.EqualTo("0"));
            Assert.That(fields["v"], Is.EqualTo(JobRecord.CurrentFormatVersion.ToString()));
            Assert.That((string?)_store.Keys.Job("job-1"), Does.StartWith(_store.Keys.Prefix + ":job:"));
            Assert.That(await _db.SortedSetScoreAsync(_store.Keys.NodeJobs(Node), "job-1"), Is.EqualTo(double.PositiveInfinity));
        }
    }

    [TestCase("status", "sleeping")]
    [TestCase("attempt", "many")]
    [TestCase("run_at", "yesterday")]
    [TestCase("defer", "maybe")]
    [TestCase("v", "one")]
    [TestCase("v", "0")]
    [TestCase("id", "another-job")]
    [TestCase("args", "\u00c1garbage")]
    [TestCase("name", null)]
    [TestCase("args", null)]
    public async Task An_unreadable_record_is_skipped_and_logged(string field, string? value)
    {
        await _store.SaveAsync(NewJob("good"));
        await _store.SaveAsync(NewJob("bad"));
        var key = _store.Keys.Job("bad");
        _ = value is null ? await _db.HashDeleteAsync(key, field) : await _db.HashSetAsync(key, field, value);

        var jobs = await _store.JobsForAsync(Node);

        Assert.That(jobs.Select(j => j.Id), Is.EqualTo(new[] { "good" }));
        Assert.That(await _store.LoadAsync("bad"), Is.Null);
        var errors = _logger.Entries.Where(e => e.Level == LogLevel.Error && e.EventId.Name == "UnreadableJobRecord").ToList();
        Assert.That(errors, Has.Count.EqualTo(2), "one for JobsFor, one for Load");
        Assert.That(errors[0].Message, Does.Contain("bad").And.Contain($"'{field}'"));
        Assert.That(await _store.DeleteAsync("bad"), Is.True, "an unreadable record can still be destroyed");
    }

    [Test]
    public async Task Args_bytes_that_break_the_limits_are_unreadable()
    {
        await _store.SaveAsync(NewJob("deep"));
        // 40 nested single-element arrays under one key: deeper than ProtocolLimits.MaxDepth.
        var deep = new byte[] { 0x81, 0xa1, (byte)'k' }.Concat(Enumerable.Repeat((byte)0x91, 40)).Append((byte)0xc0).ToArray();
        await _db.HashSetAsync(_store.Keys.Job("deep"), "args", deep);

        Assert.That(await _store.JobsForAsync(Node), Is.Empty);
        Assert.That(_logger.Entries.Single().Message, Does.Contain("nest deeper"));
    }

    [Test]
    public async Task A_record_in_a_newer_format_is_skipped_and_logged()
    {
        await _store.SaveAsync(NewJob("future"));
        await _db.HashSetAsync(_store.Keys.Job("future"), "v", JobRecord.CurrentFormatVersion + 1);

        Assert.That(await _store.JobsForAsync(Node), Is.Empty);
        Assert.That(await _store.LoadAsync("future"), Is.Null);
        Assert.That(_logger.Entries.Select(e => e.EventId.Name), Is.EqualTo(new[] { "NewerJobRecordFormat", "NewerJobRecordFormat" }));
        Assert.That(_logger.Entries.First().Message, Does.Contain("future").And.Contain("newer"));
    }

    internal static JobRecord NewJob(string id, JobStatus status = JobStatus.New, string node = Node) =>
        new() { Id = id, Name = "send_mail", Args = new JobArgs { ["to"] = "someone@example.com" }, Node = node, Status = status };

    private static JobRecord FullJob(string id)
    {
        var job = NewJob(id, JobStatus.Error);
        job.RunAt = DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_123);
        job.FailedAt = job.RunAt.Value.AddMinutes(-1);
        job.LastError = "boom";
        job.Period = TimeSpan.FromMinutes(5);
        job.MakeAfter = TimeSpan.FromSeconds(3);
        job.RetryMultiplier = TimeSpan.FromSeconds(1);
        job.Timeout = TimeSpan.FromSeconds(30);
        job.Defer = true;
        job.OnSuccess = false;
        return job;
    }
}
