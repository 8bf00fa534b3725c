using System.Text.Encodings.Web;
using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Dashboard;

// A job's failed-attempt history: written by a real node process into Redis, shown on the job page.
public sealed partial class DashboardHttpTests
{
    [Test]
    public async Task A_job_that_failed_twice_keeps_both_attempts_with_type_and_stack_and_the_job_page_lists_them()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var cluster = await Cluster.StartAsync(o => o.Redis = redis.Address);
        cluster.StartNode("attempts_node", "--storage", "redis", "--redis", redis.Address);
        await cluster.WaitForNodesAsync(1);
        var key = "<b>flaky</b>-" + Guid.NewGuid().ToString("N");
        var result = await cluster.Distributor.EnqueueAsync("flaky", new { key, succeed_on = 99 },
                new EnqueueOptions { MaxAttempt = 2, RetryMultiplier = TimeSpan.FromMilliseconds(10) })
            .WaitAsync(Cluster.Patience);
        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));

        // The node writes its record after it reports the result, so wait for the final save.
        JobRecord? record;
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address))
        await using (var store = new RedisJobStore(connection))
        {
            var deadline = DateTime.UtcNow + Cluster.Patience;
            while ((record = await store.LoadAsync(result.JobId)) is not { Status: JobStatus.Failed })
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the failed record was never saved; last: {record?.Status}");
                await Task.Delay(50);
            }
        }
        Assert.That(record, Is.Not.Null);
        Assert.That(record!.FailedAttempts.Select(a => a.Attempt), Is.EqualTo(new[] { 1, 2 }));
        for (var i = 0; i < 2; i++)
        {
            var error = record.FailedAttempts[i].Error;
            Assert.That(error, Does.StartWith($"InvalidOperationException: flaky attempt {i + 1}\n"), "type and message first");
            Assert.That(error, Does.Contain("   at "), "then the stack");
        }
        Assert.That(record.FailedAttempts[1].At, Is.GreaterThanOrEqualTo(record.FailedAttempts[0].At));

        await using var site = await DashboardSite.StartAsync(o => o.Redis = redis.Address);
        using var client = NewClient();
        var page = await client.GetStringAsync($"{site.Root}/reactor/jobs/{Uri.EscapeDataString(result.JobId)}");
        var section = page[page.IndexOf("id=\"job-attempts\"", StringComparison.Ordinal)..];
        Assert.That(section, Does.Contain("<li class=\"attempt\" value=\"2\">").And.Contain("<li class=\"attempt\" value=\"1\">"));
        Assert.That(section.IndexOf("flaky attempt 2", StringComparison.Ordinal), Is.LessThan(section.IndexOf("flaky attempt 1", StringComparison.Ordinal)),
            "newest first");
        Assert.That(section, Does.Contain("<b class=\"exception-type\">InvalidOperationException</b>"));
        Assert.That(section, Does.Contain("<details><summary>Stack</summary><pre class=\"stack\">"));
        Assert.That(section, Does.Contain(HtmlEncoder.Default.Encode("   at ").TrimEnd()));
    }

    [Test]
    public async Task A_job_that_never_failed_stores_no_attempt_history()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        await using var store = new RedisJobStore(connection);
        await store.SaveAsync(new JobRecord { Id = "clean", Name = "bill", Node = "worker_1", Status = JobStatus.Queued, Args = new JobArgs() });
        Assert.That(await connection.GetDatabase().HashExistsAsync(store.Keys.Job("clean"), "attempts"), Is.False, "a job that never failed does not grow");

        var failing = new JobRecord { Id = "failing", Name = "bill", Node = "worker_1", Status = JobStatus.Error, Args = new JobArgs() };
        for (var i = 1; i <= JobRecord.MaxFailedAttempts + 3; i++)
        {
            failing.AddFailedAttempt(i, DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_000 + i), $"IOException: <disk> {i}\n   at Somewhere()" + new string('x', i == 13 ? 10_000 : 0));
        }
        await store.SaveAsync(failing);
        var loaded = (await store.LoadAsync("failing"))!.FailedAttempts;
        Assert.That(loaded.Select(a => a.Attempt), Is.EqualTo(Enumerable.Range(4, JobRecord.MaxFailedAttempts)), "the oldest beyond the bound are dropped");
        Assert.That(loaded[^1].Error, Has.Length.EqualTo(JobRecord.MaxAttemptErrorLength));
        Assert.That(loaded[0].At, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_004)));

        await connection.GetDatabase().HashSetAsync(store.Keys.Job("failing"), "attempts", "not json");
        Assert.That((await store.LoadAsync("failing"))!.FailedAttempts, Is.Empty, "a damaged history reads as empty; the job stays readable");
    }
}
