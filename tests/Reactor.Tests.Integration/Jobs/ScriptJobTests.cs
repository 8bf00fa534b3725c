using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Jobs;

/// <summary>
/// Jobs scripts read like ordinary C# on a real <c>reactor node</c> process: console-app usings, the
/// <c>(args, ct)</c> overload, progress, and the README's own script, extracted as written (issue 15).
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
public sealed partial class ScriptJobTests
{
    private const string EverydayScript = """
        // No usings: Thread, File, Path, HttpClient, JsonSerializer, StringBuilder, Stopwatch come with the defaults.
        Job("everyday", async (args, ct) =>
        {
            Thread.Sleep(1);
            var path = Path.Combine(Path.GetTempPath(), $"reactor-script-{Guid.NewGuid():N}.txt");
            await File.WriteAllTextAsync(path, "hello", ct);
            args["file"] = await File.ReadAllTextAsync(path, ct);
            File.Delete(path);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
            args["http"] = http.Timeout.TotalSeconds;
            args["json"] = JsonSerializer.Serialize(new { a = 1 });
            args["text"] = new StringBuilder("sb").Append('!').ToString();
            args["token"] = ct.CanBeCanceled;
            args.ReportProgress(1.0, "everyday done");
        });
        """;

    [Test]
    public async Task A_script_using_Thread_File_HttpClient_and_Json_without_usings_runs_on_a_node()
    {
        using var jobs = new TempJobs();
        jobs.Write("everyday.csx", EverydayScript);
        await using var cluster = await Cluster.StartAsync();
        await using var node = NodeProcess.Start("script_node", cluster.Address, jobs.Root, "--log-level", "Warning");
        await WaitForNodeAsync(cluster, node);
        var progress = new ConcurrentQueue<string>();

        var result = await cluster.Distributor.EnqueueAsync("everyday", null, null,
            new InlineProgress(p => progress.Enqueue(p.Message ?? ""))).WaitAsync(Cluster.Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Succeeded), result.Error);
        Assert.That(result.Args["file"], Is.EqualTo("hello"));
        Assert.That(result.Args["json"], Is.EqualTo("{\"a\":1}"));
        Assert.That(result.Args["text"], Is.EqualTo("sb!"));
        Assert.That(result.Args["token"], Is.True, "the (args, ct) overload gets a real token");
        Assert.That(progress, Is.EqualTo(new[] { "everyday done" }));
    }

    [Test]
    public async Task The_README_reports_script_runs_on_a_node_as_written()
    {
        var script = ReadmeScript("reports.csx");
        using var jobs = new TempJobs();
        jobs.Write("reports.csx", script);
        var customer = Random.Shared.Next(1_000_000, 9_000_000);
        var csv = Path.Combine(Path.GetTempPath(), $"customer-{customer}.csv");
        await File.WriteAllLinesAsync(csv, ["a", "b", "c"]);
        try
        {
            await using var cluster = await Cluster.StartAsync();
            await using var node = NodeProcess.Start("readme_node", cluster.Address, jobs.Root, "--log-level", "Warning");
            await WaitForNodeAsync(cluster, node);
            var progress = new ConcurrentQueue<JobProgress>();

            var result = await cluster.Distributor.EnqueueAsync("report", new { customer }, null,
                new InlineProgress(progress.Enqueue)).WaitAsync(Cluster.Patience);

            Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Succeeded), result.Error);
            Assert.That(result.Args.Get<int>("rows"), Is.EqualTo(3));
            Assert.That(progress.Select(p => p.Message), Is.EqualTo(new[] { "3 rows loaded" }));
        }
        finally
        {
            File.Delete(csv);
        }
    }

    private static async Task WaitForNodeAsync(Cluster cluster, NodeProcess node)
    {
        try
        {
            await cluster.Distributor.WaitForNodesAsync(1).WaitAsync(Cluster.Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("the node did not connect. Output:\n" + string.Join("\n", node.Output));
        }
    }

    /// <summary>The README's code block that starts with <c>// reactor_jobs/{file}</c>, exactly as printed.</summary>
    private static string ReadmeScript(string file)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Reactor.sln")))
        {
            directory = directory.Parent;
        }
        var readme = File.ReadAllText(Path.Combine(directory!.FullName, "README.md"));
        var block = CodeBlocks().Matches(readme).Select(m => m.Groups[1].Value)
            .SingleOrDefault(code => code.StartsWith("// reactor_jobs/" + file, StringComparison.Ordinal));
        Assert.That(block, Is.Not.Null, $"README.md has a csharp block starting with // reactor_jobs/{file}");
        return block!;
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlocks();

    private sealed class InlineProgress(Action<JobProgress> report) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => report(value);
    }

    private sealed class TempJobs : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("reactor-scripts-");

        public string Root => _directory.FullName;

        public void Write(string name, string text) => File.WriteAllText(Path.Combine(Root, name), text);

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
