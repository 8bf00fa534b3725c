using System.Diagnostics;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary><c>reactor workflow ...</c> run as a child process.</summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class WorkflowCliTests
{
    private string _dir = "";

    [SetUp]
    public void WriteDefinitions()
    {
        _dir = Directory.CreateTempSubdirectory("reactor-wf-").FullName;
        File.WriteAllText(Path.Combine(_dir, "wc.yaml"), WordCountJobs.Yaml);
    }

    [TearDown]
    public void RemoveDefinitions() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Validate_lists_the_steps_of_a_good_file_and_names_the_element_of_a_bad_one()
    {
        var good = await RunAsync("workflow", "validate", Path.Combine(_dir, "wc.yaml"));
        var badFile = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(badFile, """{"name": "x", "phases": [{"name": "a", "is_initial": true, "transitions_to": "b"}]}""");
        var bad = await RunAsync("workflow", "validate", badFile);

        Assert.That(good.Code, Is.Zero, good.Output);
        Assert.That(good.Output, Does.Contain("workflow book-word-counts: 4 steps").And.Contain("section-counts after book-split: fan-out over 'sections'"));
        Assert.That(bad.Code, Is.EqualTo(1));
        Assert.That(bad.Output, Does.Contain($"error: {badFile}: phases: no phase has \"is_final\": true"));
    }

    [Test]
    public async Task Start_creates_a_workflow_an_engine_adopts_and_status_shows_its_history()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = $"test:wf:{Guid.NewGuid():N}:";
        await using var rig = await WorkflowRig.StartAsync(WordCountJobs.Yaml, WordCountJobs.Define, o =>
        {
            o.Redis = redis;
            o.RedisKeyPrefix = prefix;
            o.SweepInterval = TimeSpan.FromMilliseconds(200);
            o.LeaseTtl = TimeSpan.FromSeconds(1);
        });

        var start = await RunAsync("workflow", "start", "book-word-counts", "--payload", """{"text": "one two\n\nthree", "title": "t"}""",
            "--definitions", _dir, "--redis", redis, "--prefix", prefix);
        Assert.That(start.Code, Is.Zero, start.Output);
        var id = start.Output.Trim();
        var result = await rig.Engine.WaitForWorkflowAsync(id).WaitAsync(WorkflowRig.Patience);
        var status = await RunAsync("workflow", "status", id, "--redis", redis, "--prefix", prefix);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error);
        Assert.That((long)result.Output["total"]!, Is.EqualTo(3));
        Assert.That(status.Output, Does.Contain($"workflow {id} (book-word-counts): finished"));
        Assert.That(status.Output, Does.Contain("workflow.created").And.Contain("workflow.phase.started").And.Contain("sum-splits -> finished"));
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var (file, prefix) = NodeProcess.LocateCli();
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in prefix.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
