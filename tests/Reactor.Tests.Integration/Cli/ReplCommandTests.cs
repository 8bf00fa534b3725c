using NUnit.Framework;
using static Reactor.Tests.Integration.Cli.SeededRedis;

namespace Reactor.Tests.Integration.Cli;

[TestFixture]
public sealed class ReplCommandTests
{
    private SeededRedis _redis = null!;

    [SetUp]
    public async Task Seed() => _redis = await SeededRedis.CreateAsync();

    [TearDown]
    public async Task CleanUp() => await _redis.DisposeAsync();

    [Test]
    public async Task Repl_evaluates_lines_keeps_variables_and_survives_a_line_that_does_not_compile()
    {
        var run = await RunAsync(
            $"RedisMonitor.JobsFor(\"{Worker}\")",
            "var x = 40;",
            "x + 2",
            "x + nonsense",
            "RedisMonitor.Load(\"failed-1\").Status",
            "#exit",
            "\"never evaluated\"");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var lines = run.Stdout.Split('\n');
        Assert.That(lines[0], Does.StartWith("ID").And.Contain("STATUS"), "a list of jobs prints as a table");
        Assert.That(lines.Any(l => l.StartsWith("queued-1", StringComparison.Ordinal)), run.ToString());
        Assert.That(lines, Does.Contain("42"), "x survived from the line before");
        Assert.That(run.Stderr, Does.Contain("(1,5): error CS0103: The name 'nonsense' does not exist in the current context"));
        Assert.That(lines, Does.Contain("Failed"), "the REPL went on after the error");
        Assert.That(run.Stdout, Does.Not.Contain("never evaluated"), "#exit ends the session");
        Assert.That(run.Stdout, Does.Not.Contain("> "), "no prompts when stdin is not a terminal");
    }

    [Test]
    public async Task A_runtime_exception_shows_its_type_and_message_and_the_session_goes_on()
    {
        var run = await RunAsync(
            "var kept = 1; throw new InvalidOperationException(\"boom\");",
            "RedisMonitor.Load(\"no-such-job\").Status",
            "kept + 1");

        Assert.That(run.ExitCode, Is.Zero, "end of input ends the session normally: " + run);
        Assert.That(run.Stderr, Does.Contain("System.InvalidOperationException: boom"));
        Assert.That(run.Stderr, Does.Contain("System.NullReferenceException: "));
        Assert.That(run.Stdout.Split('\n'), Does.Contain("2"), "what the failing line declared before throwing is kept");
    }

    [Test]
    public async Task An_incomplete_submission_is_continued_on_the_next_lines()
    {
        var run = await RunAsync(
            $"var ids = RedisMonitor.JobsFor(\"{Worker}\")",
            "    .Select(job => job.Id)",
            "    .OrderBy(id => id);",
            "int Twice(int n)",
            "{",
            "    return n * 2;",
            "}",
            "string.Join(\",\", ids) + \" \" + Twice(21)");

        Assert.That(run.Stderr, Is.Empty, run.ToString());
        Assert.That(run.Stdout.Trim(), Is.EqualTo("done-1,failed-1,queued-1 42"));
    }

    [Test]
    public async Task Dictionaries_print_as_key_value_lines_and_statements_print_nothing()
    {
        var run = await RunAsync(
            $"RedisMonitor.CountsByStatus(\"{Worker}\")",
            "Console.WriteLine(\"printed by the line\");",
            "RedisMonitor.Load(\"failed-1\").Args");

        Assert.That(run.Stderr, Is.Empty, run.ToString());
        var lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.That(lines, Is.EqualTo(new[]
        {
            "New: 0", "Queued: 1", "InProgress: 0", "Complete: 1", "Error: 0", "Failed: 1", "Cancelled: 0",
            "printed by the line",
            "path: /var/data/report.csv", "sizes: [1,2,3]", "meta: {\"owner\":\"ops\"}",
        }));
    }

    private Task<CliResult> RunAsync(params string[] lines) =>
        CliProcess.RunAsync(["repl", "--redis", _redis.Address, "--prefix", _redis.Prefix], stdin: string.Join('\n', lines) + "\n");
}
