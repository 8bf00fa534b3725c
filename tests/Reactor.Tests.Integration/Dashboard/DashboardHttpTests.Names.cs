using System.Text.Encodings.Web;
using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Dashboard;

// Filtering the jobs list by job name, over HTTP against a real Redis: the selector, the shareable link, escaping.
public sealed partial class DashboardHttpTests
{
    [Test]
    public async Task Jobs_are_listed_by_job_name_with_a_selector_and_shareable_escaped_links()
    {
        const string odd = "<i>report</i> für Q1";
        await using var redis = await RedisServerProcess.StartAsync();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address))
        await using (var store = new RedisJobStore(connection))
        {
            await store.SaveAsync(new JobRecord { Id = "report-1", Name = odd, Node = "worker_1", Status = JobStatus.Failed, Args = new JobArgs() });
            await store.SaveAsync(new JobRecord { Id = "report-2", Name = odd, Node = "worker_1", Status = JobStatus.Queued, Args = new JobArgs() });
            await store.SaveAsync(new JobRecord { Id = "bill-1", Name = "bill", Node = "worker_1", Status = JobStatus.Failed, Args = new JobArgs() });
        }
        await using var site = await DashboardSite.StartAsync(o => o.Redis = redis.Address);
        using var client = NewClient();
        var shown = HtmlEncoder.Default.Encode(odd);

        var failed = await client.GetStringAsync($"{site.Root}/reactor/jobs?status=failed");
        Assert.That(failed, Does.Contain("<select name=\"name\" id=\"name-filter\">"));
        Assert.That(failed, Does.Contain($"<option value=\"{shown}\">{shown}</option>").And.Contain("<option value=\"bill\">bill</option>"));
        Assert.That(failed, Does.Not.Contain("<i>report</i>"), "the name is never markup");
        Assert.That(failed, Does.Contain($"href=\"/reactor/jobs?name={HtmlEncoder.Default.Encode(Uri.EscapeDataString(odd))}\""),
            "a row's name links to the list of that name");

        var byName = await client.GetStringAsync($"{site.Root}/reactor/jobs?name={Uri.EscapeDataString(odd)}");
        Assert.That(byName, Does.Contain($"<h2 id=\"name-results\">Records of job <code>{shown}</code></h2>"));
        Assert.That(byName, Does.Contain("report-1").And.Contain("report-2").And.Not.Contain("bill-1"));
        Assert.That(byName.IndexOf("report-2", StringComparison.Ordinal), Is.LessThan(byName.IndexOf("report-1", StringComparison.Ordinal)),
            "unfinished records come first");
        Assert.That(byName, Does.Contain($"<option selected value=\"{shown}\">"));
        Assert.That(byName, Does.Contain("1–2 of 2"));
        Assert.That(byName, Does.Not.Contain("Retry all"), "bulk actions belong to status lists");

        var bill = await client.GetStringAsync($"{site.Root}/reactor/jobs?name=bill");
        Assert.That(bill, Does.Contain("bill-1").And.Not.Contain("report-1"));
        var nobody = await client.GetStringAsync($"{site.Root}/reactor/jobs?name=nobody");
        Assert.That(nobody, Does.Contain("id=\"no-jobs\""));
    }
}
