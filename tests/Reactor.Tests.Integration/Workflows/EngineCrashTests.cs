using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>The application running the workflow engine is killed with SIGKILL mid-workflow and restarted.</summary>
[TestFixture]
[CancelAfter(240_000)]
[NonParallelizable]
public sealed class EngineCrashTests
{
    private const string Chain = """
        {"name": "crash-chain", "phases": [
          {"name": "first", "is_initial": true, "transitions_to": "second", "handlers": ["wait_for_marker"]},
          {"name": "second", "transitions_to": "third", "handlers": ["mark_step"]},
          {"name": "third", "is_final": true, "handlers": ["mark_step"]}
        ]}
        """;

    private const string Jobs = """
        using System.IO;

        // The first phase waits until the test creates the marker file, so the app can be killed
        // while that task is running on the node.
        Job("wait_for_marker", async args =>
        {
            var marker = ((IDictionary<string, object>)args["payload"])["marker"].ToString();
            File.WriteAllText(marker + ".entered", "");
            while (!File.Exists(marker)) await Task.Delay(50);
        });
        Job("mark_step", args => args["at_" + args["step"]] = true);
        """;

    [Test]
    public async Task The_engine_killed_mid_workflow_resumes_it_on_restart()
    {
        var work = Directory.CreateTempSubdirectory("reactor-crash-");
        try
        {
            var definitions = Directory.CreateDirectory(Path.Combine(work.FullName, "defs"));
            var jobs = Directory.CreateDirectory(Path.Combine(work.FullName, "jobs"));
            await File.WriteAllTextAsync(Path.Combine(definitions.FullName, "crash-chain.json"), Chain);
            await File.WriteAllTextAsync(Path.Combine(jobs.FullName, "crash.csx"), Jobs);
            var marker = Path.Combine(work.FullName, "go");
            await using var redis = await RedisServerProcess.StartAsync("--appendonly", "yes", "--dir", work.FullName);
            var port = RedisServerProcess.FreePort();
            await using var node = NodeProcess.Start("crash_node", $"127.0.0.1:{port}", jobs.FullName, "--log-job-processing", "false");

            string id;
            await using (var first = ChildProcess.StartRepoApp("Reactor.TestApp", "wfstart", $"{port}", redis.Address, definitions.FullName, marker))
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
                while ((!File.Exists(marker + ".entered") || !first.Lines.Any(l => l.StartsWith("started ", StringComparison.Ordinal)))
                       && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }
                Assert.That(File.Exists(marker + ".entered"), Is.True,
                    "the first phase is running on the node:\n" + string.Join("\n", first.Lines.Concat(node.Output)));
                id = first.Lines.Single(l => l.StartsWith("started ", StringComparison.Ordinal))[8..];
                first.Kill();
            }
            await File.WriteAllTextAsync(marker, "go");

            await using var second = ChildProcess.StartRepoApp("Reactor.TestApp", "wfresume", $"{port}", redis.Address, definitions.FullName, id);
            await second.WaitForLineAsync("finished Finished", TimeSpan.FromSeconds(120));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
