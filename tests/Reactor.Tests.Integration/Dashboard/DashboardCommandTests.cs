using System.Diagnostics;
using System.Net;
using NUnit.Framework;
using Reactor.Tests.Integration.Cli;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Dashboard;

/// <summary>
/// <c>reactor dashboard</c> as an operator runs it: a separate process reading only Redis, here the
/// Redis a real distributor (journal, published snapshot) and a real node process (job records) write.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class DashboardCommandTests
{
    [Test]
    public async Task Standalone_dashboard_shows_the_nodes_jobs_and_errors_that_redis_holds()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var cluster = await Cluster.StartAsync(o => o.Redis = redis.Address);
        cluster.StartNode("standalone_node", "--storage", "redis", "--redis", redis.Address);
        await cluster.WaitForNodesAsync(1);
        var failed = await cluster.Distributor.EnqueueAsync("fail_with", new { message = "disk <full>" }, new EnqueueOptions { MaxAttempt = 1 })
            .WaitAsync(Cluster.Patience);
        // A succeeded job leaves no node record: only the distributor journal's stored result knows it.
        var succeeded = await cluster.Distributor.EnqueueAsync("add", new { a = 20, b = 22 }).WaitAsync(Cluster.Patience);
        Assert.That(succeeded.Outcome, Is.EqualTo(JobOutcome.Succeeded));

        using var dashboard = new Running(Start("dashboard", "--redis", redis.Address, "--urls", "http://127.0.0.1:0"));
        var root = await UrlAsync(dashboard.Process);
        Assert.That(root, Does.StartWith("http://127.0.0.1:"), "binds loopback");
        using var client = DashboardHttpTests.NewClient();

        // The distributor publishes its snapshot every 5 s.
        var deadline = DateTime.UtcNow + Cluster.Patience;
        string overview;
        while (!(overview = await client.GetStringAsync(root)).Contains("standalone_node", StringComparison.Ordinal))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the node never showed:\n" + overview);
            await Task.Delay(250);
        }
        Assert.That(await client.GetStringAsync(root + "jobs?status=failed"), Does.Contain(failed.JobId));
        var detail = await client.GetStringAsync(root + "jobs/" + failed.JobId);
        Assert.That(detail, Does.Contain("InvalidOperationException").And.Contain("disk &lt;full&gt;"));
        var journaled = await client.GetAsync(root + "jobs/" + succeeded.JobId);
        var journaledText = await journaled.Content.ReadAsStringAsync();
        Assert.That((int)journaled.StatusCode, Is.EqualTo(200), "the result is read from the journal's keys (hash-tagged by distributor name)");
        Assert.That(journaledText, Does.Contain("data-status=\"succeeded\"").And.Contain("42"));

        // Retry needs the distributor, which lives in another process: refused with the reason.
        var token = DashboardHttpTests.TokenField().Match(detail).Groups[1].Value;
        Assert.That(detail, Does.Not.Contain(">Retry<"), "no retry button without the distributor");
        var retry = await client.PostAsync(root + $"jobs/{failed.JobId}/retry",
            new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token))]));
        Assert.That(retry.Headers.Location?.ToString(), Does.Contain("Retry%20needs%20the%20distributor"));
    }

    [Test]
    public async Task Standalone_dashboard_stops_on_sigterm_with_exit_code_0()
    {
        var redis = await TestServices.RedisAsync();
        using var dashboard = new Running(Start("dashboard", "--redis", redis, "--urls", "http://127.0.0.1:0"));
        var root = await UrlAsync(dashboard.Process);
        using var client = DashboardHttpTests.NewClient();
        Assert.That((int)(await client.GetAsync(root + "jobs")).StatusCode, Is.EqualTo(200));

        // Both the host's console lifetime and the command line listen for the signal; either one must end it.
        using (var kill = Process.Start("kill", ["-TERM", dashboard.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await dashboard.Process.WaitForExitAsync().WaitAsync(Cluster.Patience);
        Assert.That(dashboard.Process.ExitCode, Is.Zero);
    }

    [Test]
    public async Task Standalone_dashboard_with_an_unparsable_redis_address_says_why_and_exits_1()
    {
        var result = await CliProcess.RunAsync(["dashboard", "--redis", "redis://:@@", "--urls", "http://127.0.0.1:0"]);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Stderr, Does.StartWith("reactor dashboard: "), result.ToString());
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliProcess.DllPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start)!;
    }

    private static async Task<string> UrlAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(Cluster.Patience);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("Reactor dashboard on ", StringComparison.Ordinal))
            {
                return line.Split(' ')[3];
            }
        }
        throw new InvalidOperationException("reactor dashboard ended without printing its URL: " + await process.StandardError.ReadToEndAsync());
    }

    /// <summary>Kills the dashboard process when the test ends, passed or not.</summary>
    private sealed class Running(Process process) : IDisposable
    {
        public Process Process => process;

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.Dispose();
        }
    }
}
