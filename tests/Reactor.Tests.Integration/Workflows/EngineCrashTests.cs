using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>The application running the workflow engine is killed with SIGKILL mid-workflow and restarted.</summary>
[TestFixture]
[CancelAfter(240_000)]
[NonParallelizable]
public sealed class EngineCrashTests
{
    [Test]
    public async Task The_engine_killed_mid_workflow_resumes_it_on_restart()
    {
        await using var crashed = await KilledEngine.StartAndKillAsync();
        // The task the dead engine started finishes on the node now; its result waits there for a distributor.
        await File.WriteAllTextAsync(crashed.Marker, "go");

        await using var second = ChildProcess.StartRepoApp("Reactor.TestApp", "wfresume", $"{crashed.Port}", crashed.Redis.Address,
            crashed.Definitions, crashed.WorkflowId);
        await second.WaitForLineAsync("finished Finished", TimeSpan.FromSeconds(120));

        // Each step started and finished once across the crash, and the workflow ended once.
        var history = second.Lines.Where(l => l.StartsWith("history ", StringComparison.Ordinal)).ToList();
        var all = string.Join("\n", second.Lines);
        Assert.That(history.Where(l => l.StartsWith("history workflow.phase.started ", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "history workflow.phase.started first", "history workflow.phase.started second", "history workflow.phase.started third" }), all);
        Assert.That(history.Where(l => l.StartsWith("history workflow.phase.finished ", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "history workflow.phase.finished first", "history workflow.phase.finished second", "history workflow.phase.finished third" }), all);
        Assert.That(history.Count(l => l.StartsWith("history workflow.finished", StringComparison.Ordinal)), Is.EqualTo(1), all);
        Assert.That(history.Count(l => l.StartsWith("history workflow.created", StringComparison.Ordinal)), Is.EqualTo(1), all);
    }
}
