using NUnit.Framework;
using Reactor.Storage;

namespace Reactor.Tests.Integration.Storage;

// The status indexes and node set the dashboard pages through.
public sealed partial class RedisJobStoreTests
{
    [Test]
    public async Task A_record_is_indexed_under_its_current_status_only_newest_first()
    {
        _nodes.Add("worker_2");
        await _store.SaveAsync(NewJob("a", JobStatus.New));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _store.SaveAsync(NewJob("b", JobStatus.New, "worker_2"));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _store.SaveAsync(NewJob("a", JobStatus.InProgress));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _store.SaveAsync(NewJob("a", JobStatus.Failed));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _store.SaveAsync(NewJob("c", JobStatus.Failed));

        var failed = await _store.PageByStatusAsync(JobStatus.Failed, 0, 10);
        Assert.That(failed.Records.Select(r => r.Id), Is.EqualTo(new[] { "c", "a" }));
        Assert.That(failed.Total, Is.EqualTo(2));
        Assert.That((await _store.PageByStatusAsync(JobStatus.Failed, 1, 1)).Records.Select(r => r.Id), Is.EqualTo(new[] { "a" }));
        Assert.That((await _store.PageByStatusAsync(JobStatus.InProgress, 0, 10)).Total, Is.Zero);
        Assert.That((await _store.PageByStatusAsync(JobStatus.New, 0, 10)).Records.Select(r => r.Id), Is.EqualTo(new[] { "b" }));
        var counts = await _store.CountByStatusAsync();
        Assert.That((counts[JobStatus.Failed], counts[JobStatus.New], counts[JobStatus.InProgress]), Is.EqualTo((2L, 1L, 0L)));
        Assert.That(await _store.NodeNamesAsync(), Is.EqualTo(new[] { Node, "worker_2" }));
        Assert.That((await _store.PageByNodeAsync("worker_2", 0, 10)).Records.Select(r => r.Id), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public async Task A_deleted_record_leaves_its_status_index()
    {
        await _store.SaveAsync(NewJob("a", JobStatus.Failed));
        Assert.That(await _store.DeleteAsync("a"), Is.True);

        Assert.That((await _store.PageByStatusAsync(JobStatus.Failed, 0, 10)).Total, Is.Zero);
    }

    [Test]
    public async Task Entries_of_expired_finished_records_are_trimmed_and_never_shown()
    {
        await _store.SaveAsync(NewJob("old", JobStatus.Complete));
        // What expiry does to the record, without waiting for it.
        await _db.KeyDeleteAsync(_store.Keys.Job("old"));
        Assert.That((await _store.PageByStatusAsync(JobStatus.Complete, 0, 10)).Records, Is.Empty, "a missing record is skipped");

        _time.Advance(Ttl + TimeSpan.FromSeconds(1));
        await _store.SaveAsync(NewJob("new", JobStatus.Complete));
        var page = await _store.PageByStatusAsync(JobStatus.Complete, 0, 10);
        Assert.That((page.Total, page.Records.Single().Id), Is.EqualTo((1L, "new")));
    }

    [Test]
    public async Task Ids_are_found_by_prefix_in_id_order_and_leave_the_index_when_deleted_or_expired()
    {
        foreach (var id in new[] { "order-17", "order-2", "order-1", "orders", "other", "ordé-1" })
        {
            await _store.SaveAsync(NewJob(id, JobStatus.Failed));
        }

        Assert.That((await _store.FindByIdPrefixAsync("order-", 10)).Select(r => r.Id), Is.EqualTo(new[] { "order-1", "order-17", "order-2" }));
        Assert.That((await _store.FindByIdPrefixAsync("order", 2)).Select(r => r.Id), Is.EqualTo(new[] { "order-1", "order-17" }));
        Assert.That((await _store.FindByIdPrefixAsync("ordé", 10)).Select(r => r.Id), Is.EqualTo(new[] { "ordé-1" }));
        Assert.That(await _store.FindByIdPrefixAsync("nothing", 10), Is.Empty);

        Assert.That(await _store.DeleteAsync("order-17"), Is.True);
        Assert.That((await _store.FindByIdPrefixAsync("order-1", 10)).Select(r => r.Id), Is.EqualTo(new[] { "order-1" }));
        Assert.That(await _db.SortedSetScoreAsync(_store.Keys.Ids, "order-17"), Is.Null, "a delete removes the id");

        await _store.SaveAsync(NewJob("done-1", JobStatus.Complete));
        _time.Advance(Ttl + TimeSpan.FromSeconds(1));
        await _store.SaveAsync(NewJob("done-2", JobStatus.Complete));
        Assert.That(await _db.SortedSetScoreAsync(_store.Keys.Ids, "done-1"), Is.Null, "an expired record's id is trimmed with its status entry");
        Assert.That(await _db.SortedSetScoreAsync(_store.Keys.Ids, "done-2"), Is.Zero);
    }

    [Test]
    public async Task Records_are_paged_by_job_name_unfinished_first_and_leave_the_name_index_when_deleted_or_expired()
    {
        const string odd = "<b>mail & co</b> ünïcode";
        static JobRecord Named(string id, string name, JobStatus status) =>
            new() { Id = id, Name = name, Args = new JobArgs { ["n"] = 1 }, Node = Node, Status = status };
        await _store.SaveAsync(Named("done-1", odd, JobStatus.Complete));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _store.SaveAsync(Named("done-2", odd, JobStatus.Complete));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _store.SaveAsync(Named("queued", odd, JobStatus.Queued));
        await _store.SaveAsync(Named("other", "send_mail", JobStatus.Failed));

        Assert.That(await _store.JobNamesAsync(), Is.EqualTo(new[] { odd, "send_mail" }));
        var page = await _store.PageByNameAsync(odd, 0, 10);
        Assert.That((page.Total, page.Records.Select(r => r.Id)), Is.EqualTo((3L, new[] { "queued", "done-2", "done-1" })));
        Assert.That((await _store.PageByNameAsync(odd, 1, 1)).Records.Select(r => r.Id), Is.EqualTo(new[] { "done-2" }));
        Assert.That((await _store.PageByNameAsync("send_mail", 0, 10)).Records.Select(r => r.Id), Is.EqualTo(new[] { "other" }));
        Assert.That((await _store.PageByNameAsync("nobody", 0, 10)).Total, Is.Zero);
        Assert.That(_store.Keys.NameJobs(odd).ToString(), Does.StartWith(_store.Keys.Prefix + ":name:").And.Not.Contain(" ").And.Not.Contain("<"),
            "the name is percent-escaped in the key");

        Assert.That(await _store.DeleteAsync("done-2"), Is.True);
        Assert.That(await _db.SortedSetScoreAsync(_store.Keys.NameJobs(odd), "done-2"), Is.Null, "a delete removes the name entry");

        // A renamed record (written by hand or another tool) moves between name indexes.
        await _store.SaveAsync(Named("other", odd, JobStatus.Error));
        Assert.That((await _store.PageByNameAsync("send_mail", 0, 10)).Total, Is.Zero);

        _time.Advance(Ttl + TimeSpan.FromSeconds(1));
        await _store.SaveAsync(Named("queued", odd, JobStatus.InProgress));
        Assert.That(await _db.SortedSetScoreAsync(_store.Keys.NameJobs(odd), "done-1"), Is.Null, "an expired record's entry is trimmed on the next save");
        Assert.That((await _store.PageByNameAsync(odd, 0, 10)).Records.Select(r => r.Id), Is.EquivalentTo(new[] { "queued", "other" }),
            "unfinished records are never trimmed, however old");
    }
}
