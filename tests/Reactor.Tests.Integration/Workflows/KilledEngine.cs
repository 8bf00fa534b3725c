using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>
/// A workflow engine that crashed: the application running it (<c>Reactor.TestApp wfstart</c>, engine
/// "crash-engine", state in a private redis-server under the default prefix) is killed with SIGKILL
/// while the first phase's task runs on a node in a third process. That task waits for
/// <see cref="Marker"/>, so it is still running, unfinished, when the engine dies.
/// </summary>
internal sealed class KilledEngine : IAsyncDisposable
{
    public const string Chain = """
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
            File.AppendAllText(marker + ".entered", "run\n");
            while (!File.Exists(marker)) await Task.Delay(50);
        });
        Job("mark_step", args => args["at_" + args["step"]] = true);
        """;

    private readonly DirectoryInfo _work;

    private KilledEngine(DirectoryInfo work, RedisServerProcess redis, NodeProcess node, int port, string id)
    {
        _work = work;
        Redis = redis;
        Node = node;
        Port = port;
        WorkflowId = id;
    }

    public RedisServerProcess Redis { get; }

    public NodeProcess Node { get; }

    /// <summary>The port the dead application's distributor listened on (the node still dials it).</summary>
    public int Port { get; }

    public string WorkflowId { get; }

    public string Definitions => Path.Combine(_work.FullName, "defs");

    /// <summary>Created, this file lets the first phase's task finish.</summary>
    public string Marker => Path.Combine(_work.FullName, "go");

    /// <summary>How many times the first phase's task started on the node process.</summary>
    public int FirstTaskRunsOnNode => File.Exists(Marker + ".entered") ? File.ReadAllLines(Marker + ".entered").Length : 0;

    public static async Task<KilledEngine> StartAndKillAsync()
    {
        var work = Directory.CreateTempSubdirectory("reactor-crash-");
        RedisServerProcess? redis = null;
        NodeProcess? node = null;
        try
        {
            var definitions = Directory.CreateDirectory(Path.Combine(work.FullName, "defs"));
            var jobs = Directory.CreateDirectory(Path.Combine(work.FullName, "jobs"));
            await File.WriteAllTextAsync(Path.Combine(definitions.FullName, "crash-chain.json"), Chain);
            await File.WriteAllTextAsync(Path.Combine(jobs.FullName, "crash.csx"), Jobs);
            var marker = Path.Combine(work.FullName, "go");
            redis = await RedisServerProcess.StartAsync("--appendonly", "yes", "--dir", work.FullName);
            var port = RedisServerProcess.FreePort();
            node = NodeProcess.Start("crash_node", $"127.0.0.1:{port}", jobs.FullName, "--log-job-processing", "false");
            await using var app = ChildProcess.StartRepoApp("Reactor.TestApp", "wfstart", $"{port}", redis.Address, definitions.FullName, marker);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while ((!File.Exists(marker + ".entered") || !app.Lines.Any(l => l.StartsWith("started ", StringComparison.Ordinal)))
                   && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            Assert.That(File.Exists(marker + ".entered"), Is.True,
                "the first phase is running on the node:\n" + string.Join("\n", app.Lines.Concat(node.Output)));
            var id = app.Lines.Single(l => l.StartsWith("started ", StringComparison.Ordinal))[8..];
            app.Kill(); // Process.Kill is SIGKILL on Unix: no dispose, no lease release, nothing flushed
            Assert.That(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(137), "killed by SIGKILL");
            return new KilledEngine(work, redis, node, port, id);
        }
        catch
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
            if (redis is not null)
            {
                await redis.DisposeAsync();
            }
            work.Delete(recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Redis.DisposeAsync();
        _work.Delete(recursive: true);
    }
}
