using NUnit.Framework;
using Reactor.Storage;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Storage;

public sealed partial class RedisJobStoreTests
{
    [Test]
    public async Task Finished_records_expire_and_unfinished_ones_do_not([Values] JobStatus status)
    {
        await _store.SaveAsync(NewJob("job-1", status));

        var ttl = await _db.KeyTimeToLiveAsync(_store.Keys.Job("job-1"));

        var finished = status is JobStatus.Complete or JobStatus.Failed or JobStatus.Cancelled;
        Assert.That(ttl, finished ? Is.Not.Null.And.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(Ttl) : Is.Null);
    }

    [Test]
    public async Task A_finished_job_saved_again_unfinished_no_longer_expires()
    {
        await _store.SaveAsync(NewJob("job-1", JobStatus.Failed));
        await _store.SaveAsync(NewJob("job-1", JobStatus.Queued));

        Assert.That(await _db.KeyTimeToLiveAsync(_store.Keys.Job("job-1")), Is.Null);
        Assert.That(await _db.SortedSetScoreAsync(_store.Keys.NodeJobs(Node), "job-1"), Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public async Task An_expired_record_leaves_the_node_index_on_the_next_read()
    {
        await _store.SaveAsync(NewJob("job-1", JobStatus.Complete));
        // What expiry does, without waiting for it.
        await _db.KeyDeleteAsync(_store.Keys.Job("job-1"));

        Assert.That(await _store.JobsForAsync(Node), Is.Empty);
        Assert.That(await _db.SortedSetScoreAsync(_store.Keys.NodeJobs(Node), "job-1"), Is.Null);
    }

    [Test]
    public async Task Index_entries_of_expired_records_are_trimmed_by_later_saves()
    {
        await _store.SaveAsync(NewJob("done", JobStatus.Complete));
        await _store.SaveAsync(NewJob("waiting", JobStatus.Queued));
        _time.Advance(Ttl + TimeSpan.FromSeconds(1));

        await _store.SaveAsync(NewJob("next"));

        var indexed = await _db.SortedSetRangeByRankAsync(_store.Keys.NodeJobs(Node));
        Assert.That(indexed.Select(v => v.ToString()), Is.EquivalentTo(new[] { "waiting", "next" }));
        // Redis's clock has not moved, so the record itself is still there, unindexed.
        _strayKeys.Add(_store.Keys.Job("done"));
    }
}
