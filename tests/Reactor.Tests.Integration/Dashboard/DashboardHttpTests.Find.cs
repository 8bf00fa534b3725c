using System.Net;
using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Dashboard;

// Finding jobs by id prefix, and a running job's progress, over HTTP against a real Redis.
public sealed partial class DashboardHttpTests
{
    [Test]
    public async Task Find_by_id_prefix_lists_the_matches_opens_a_unique_one_and_running_jobs_show_their_progress()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address))
        await using (var store = new RedisJobStore(connection))
        {
            foreach (var id in new[] { "invoice-17", "invoice-2", "receipt-9" })
            {
                await store.SaveAsync(new JobRecord { Id = id, Name = "bill", Node = "worker_1", Status = JobStatus.Failed, Args = new JobArgs() });
            }
            await store.SaveAsync(new JobRecord
            {
                Id = "copy-1", Name = "copy", Node = "worker_1", Status = JobStatus.InProgress, Args = new JobArgs(),
                Progress = 0.4, ProgressMessage = "<b>copying</b> part 2",
            });
        }
        await using var site = await DashboardSite.StartAsync(o => o.Redis = redis.Address);
        using var client = NewClient();

        var several = await client.GetAsync($"{site.Root}/reactor/jobs/find?id=invoice-");
        Assert.That(several.Headers.Location?.ToString(), Is.EqualTo("/reactor/jobs?prefix=invoice-"));
        var list = await client.GetStringAsync($"{site.Root}/reactor/jobs?prefix=invoice-");
        Assert.That(list, Does.Contain("invoice-17").And.Contain("invoice-2").And.Not.Contain("receipt-9"));
        var unique = await client.GetAsync($"{site.Root}/reactor/jobs/find?id=rec");
        Assert.That(unique.Headers.Location?.ToString(), Is.EqualTo("/reactor/jobs?prefix=rec"), "a prefix of one id lists it");
        var exact = await client.GetAsync($"{site.Root}/reactor/jobs/find?id=receipt-9");
        Assert.That(exact.Headers.Location?.ToString(), Is.EqualTo("/reactor/jobs/receipt-9"), "an exact id opens the job");
        var none = await client.GetAsync($"{site.Root}/reactor/jobs/find?id=nothing-like-it");
        Assert.That(none.Headers.Location?.ToString(), Is.EqualTo("/reactor/jobs/nothing-like-it"), "no match opens the watching 404 page");

        var running = await client.GetStringAsync($"{site.Root}/reactor/jobs?status=running");
        Assert.That(running, Does.Contain("<progress max=\"100\" value=\"40\">").And.Contain("40% &lt;b&gt;copying&lt;/b&gt; part 2"));
        var detail = await client.GetStringAsync($"{site.Root}/reactor/jobs/copy-1");
        Assert.That(detail, Does.Contain("<dt>Progress</dt>").And.Contain("40%"));
        Assert.That((await client.GetAsync($"{site.Root}/reactor/jobs/receipt-9")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
