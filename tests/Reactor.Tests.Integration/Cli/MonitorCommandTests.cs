using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using static Reactor.Tests.Integration.Cli.SeededRedis;

namespace Reactor.Tests.Integration.Cli;

[TestFixture]
public sealed class MonitorCommandTests
{
    private SeededRedis _redis = null!;

    [SetUp]
    public async Task Seed() => _redis = await SeededRedis.CreateAsync();

    [TearDown]
    public async Task CleanUp() => await _redis.DisposeAsync();

    [Test]
    public async Task Jobs_prints_a_table_of_the_nodes_jobs_and_counts_by_status()
    {
        // Options before the subcommand name, as they are recursive.
        var run = await CliProcess.RunAsync(["monitor", "--redis", _redis.Address, "--prefix", _redis.Prefix, "jobs", "--node", Worker]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var lines = run.Stdout.Split('\n');
        Assert.That(lines[0], Does.StartWith("ID").And.Contain("STATUS"), run.ToString());
        Assert.That(lines.Single(l => l.StartsWith("queued-1", StringComparison.Ordinal)), Does.Contain("  queued  "));
        Assert.That(lines.Single(l => l.StartsWith("failed-1", StringComparison.Ordinal)), Does.Contain("  failed  ").And.Contain("IOException: disk full"));
        Assert.That(lines.Single(l => l.StartsWith("done-1", StringComparison.Ordinal)), Does.Contain("  complete  "));
        Assert.That(run.Stdout, Does.Not.Contain("elsewhere-1"));
        Assert.That(run.Stdout, Does.Contain("(3 jobs)"));
        Assert.That(run.Stdout, Does.Contain("new: 0  queued: 1  in progress: 0  complete: 1  error: 0  failed: 1  cancelled: 0"));
        Assert.That(run.Stderr, Is.Empty);
    }

    [Test]
    public async Task Show_prints_every_field_with_the_args_pretty_printed()
    {
        var run = await RunAsync("show", "failed-1");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Stdout, Does.Match(@"(?m)^id:\s+failed-1$"));
        Assert.That(run.Stdout, Does.Match(@"(?m)^name:\s+write_report$"));
        Assert.That(run.Stdout, Does.Match(@"(?m)^status:\s+failed$"));
        Assert.That(run.Stdout, Does.Match(@"(?m)^node:\s+worker_1$"));
        Assert.That(run.Stdout, Does.Match(@"(?m)^attempt:\s+3$"));
        Assert.That(run.Stdout, Does.Match(@"(?m)^max_attempt:\s+3$"));
        Assert.That(run.Stdout, Does.Match(@"(?m)^failed_at:\s+2025-10-09 08:54:20\.000 UTC$"));
        Assert.That(run.Stdout, Does.Match(@"(?m)^last_error:\s+IOException: disk full\n\s+at Reactor\.Jobs\.Write\(\)$"), "the whole error");
        Assert.That(run.Stdout, Does.Contain("\"path\": \"/var/data/report.csv\""));
        Assert.That(run.Stdout, Does.Contain("\"owner\": \"ops\""), "nested maps");
        Assert.That(run.Stdout, Does.Match(@"""sizes"": \[\s+1,\s+2,\s+3\s+\]"), "lists, one item a line");
    }

    [Test]
    public async Task Show_of_an_unknown_id_says_so_and_exits_1()
    {
        var run = await RunAsync("show", "no-such-job");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stderr.Trim(), Is.EqualTo("no job no-such-job"));
        Assert.That(run.Stdout, Is.Empty);
    }

    [Test]
    public async Task Failed_lists_the_failed_jobs_with_their_whole_errors()
    {
        var run = await RunAsync("failed", "--node", Worker);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Stdout, Does.Contain("failed-1").And.Contain("(1 job)"));
        Assert.That(run.Stdout, Does.Contain("    IOException: disk full\n       at Reactor.Jobs.Write()"));
        Assert.That(run.Stdout, Does.Not.Contain("queued-1").And.Not.Contain("done-1"));
    }

    [Test]
    public async Task Destroy_with_yes_removes_the_job()
    {
        var run = await RunAsync("destroy", "queued-1", "--yes");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Stdout.Trim(), Is.EqualTo("removed job queued-1"));
        Assert.That(await _redis.Store.LoadAsync("queued-1"), Is.Null);
        Assert.That(await _redis.Store.JobsForAsync(Worker), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Destroy_of_an_unknown_id_exits_1()
    {
        var run = await RunAsync("destroy", "no-such-job", "--yes");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stderr.Trim(), Is.EqualTo("no job no-such-job"));
    }

    [Test]
    public async Task Destroy_without_yes_and_without_a_terminal_removes_nothing()
    {
        var run = await RunAsync("destroy", "queued-1");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain("pass --yes"));
        Assert.That(await _redis.Store.LoadAsync("queued-1"), Is.Not.Null);
    }

    [Test]
    public async Task Destroy_all_with_yes_removes_every_job_of_the_node_only()
    {
        var run = await RunAsync("destroy-all", "--node", Worker, "-y");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Stdout.Trim(), Is.EqualTo("removed 3 job(s) of node worker_1"));
        Assert.That(await _redis.Store.JobsForAsync(Worker), Is.Empty);
        Assert.That(await _redis.Store.JobsForAsync(OtherWorker), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Destroy_all_without_yes_and_without_a_terminal_removes_nothing()
    {
        var run = await RunAsync("destroy-all", "--node", Worker);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(await _redis.Store.JobsForAsync(Worker), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Without_redis_the_address_comes_from_REACTOR_REDIS()
    {
        var run = await CliProcess.RunAsync(
            ["monitor", "jobs", "--node", OtherWorker, "--prefix", _redis.Prefix],
            environment: new Dictionary<string, string> { ["REACTOR_REDIS"] = _redis.Address });

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Stdout, Does.Contain("elsewhere-1"));
    }

    [TestCase("monitor", "jobs", "--node", Worker)]
    [TestCase("monitor", "show", "queued-1")]
    [TestCase("repl")]
    public async Task Unreachable_Redis_is_one_line_on_stderr_and_exit_code_1(params string[] command)
    {
        var address = $"127.0.0.1:{RedisServerProcess.FreePort()}";

        var run = await CliProcess.RunAsync([.. command, "--redis", address], stdin: "1 + 1\n");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr.TrimEnd('\n'), Does.Not.Contain('\n'), "one line, no stack trace");
        Assert.That(run.Stderr, Does.StartWith($"reactor {command[0]}").And.Contain($"Redis at {address} is unreachable"));
    }

    private Task<CliResult> RunAsync(params string[] args) =>
        CliProcess.RunAsync(["monitor", .. args, "--redis", _redis.Address, "--prefix", _redis.Prefix]);
}
