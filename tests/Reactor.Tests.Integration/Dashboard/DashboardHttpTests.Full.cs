using System.Net;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Dashboard;

// Redis full (maxmemory reached, noeviction): pages still read, writes are refused with the reason.
public sealed partial class DashboardHttpTests
{
    [Test]
    public async Task Redis_full_keeps_pages_readable_and_refused_writes_say_why_without_changing_anything()
    {
        await using var redis = await RedisServerProcess.StartAsync("--maxmemory-policy", "noeviction");
        var jobId = await SaveFailedAsync(redis.Address);
        const string yaml = "workflows:\n  - name: full\n    steps:\n      - name: only-step\n";
        string workflowId;
        await using (var workflows = await WorkflowClient.ConnectAsync(redis.Address))
        {
            workflowId = await workflows.StartAsync(WorkflowDefinitions.Parse("full.yaml", yaml).Single());
        }
        await using var site = await DashboardSite.StartAsync(o => o.Redis = redis.Address);
        using var client = NewClient();
        var page = await client.GetStringAsync($"{site.Root}/reactor/workflows/{workflowId}");
        var token = WebUtility.HtmlDecode(TokenField().Match(page).Groups[1].Value);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Address + ",allowAdmin=true");
        // Full: maxmemory below what Redis already uses, so every write that needs memory is refused.
        await admin.GetDatabase().ExecuteAsync("CONFIG", "SET", "maxmemory", "1");

        foreach (var path in new[] { "/", "/jobs?status=failed", $"/jobs/{jobId}", "/jobs?prefix=job-", "/workflows", $"/workflows/{workflowId}", "/flows" })
        {
            var response = await client.GetAsync(site.Root + "/reactor" + path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
        }
        var pause = await client.PostAsync($"{site.Root}/reactor/workflows/{workflowId}/pause",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        var flash = Uri.UnescapeDataString(pause.Headers.Location?.ToString() ?? "");
        Assert.That(flash, Does.Contain("Redis refused the request").And.Contain("OOM").And.Contain("ok=0"));
        var after = await client.GetStringAsync(site.Root + pause.Headers.Location);
        Assert.That(after, Does.Contain("data-status=\"running\"").And.Contain("Redis refused the request"), "the page shows the refusal; nothing changed");

        await admin.GetDatabase().ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        var retried = await client.PostAsync($"{site.Root}/reactor/workflows/{workflowId}/pause",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.That(retried.Headers.Location?.ToString(), Does.Contain("ok=1"));
        Assert.That(await client.GetStringAsync($"{site.Root}/reactor/workflows/{workflowId}"), Does.Contain("data-status=\"paused\""));
    }
}
