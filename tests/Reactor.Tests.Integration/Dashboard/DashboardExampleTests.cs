using System.Diagnostics;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;

namespace Reactor.Tests.Integration.Dashboard;

/// <summary><c>examples/Dashboard</c> run as a process: it prints its URL, and the page shows its two nodes and jobs flowing.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class DashboardExampleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Test]
    public async Task The_dashboard_example_prints_its_url_and_shows_both_nodes_with_jobs_flowing()
    {
        var dll = ExampleDll();
        var port = RedisServerProcess.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        foreach (var arg in new[] { dll, "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        try
        {
            var url = await UrlAsync(process).WaitAsync(Patience);
            Assert.That(url, Is.EqualTo($"http://127.0.0.1:{port}/reactor"));
            using var client = DashboardHttpTests.NewClient();
            var deadline = DateTime.UtcNow + Patience;
            string page;
            while (!((page = await client.GetStringAsync(url + "/")).Contains("worker_1", StringComparison.Ordinal)
                     && page.Contains("worker_2", StringComparison.Ordinal)))
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "both nodes never showed:\n" + page);
                await Task.Delay(250);
            }
            string recent;
            while (!(recent = await client.GetStringAsync(url + "/jobs?status=recent")).Contains("resize", StringComparison.Ordinal))
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "no job result showed:\n" + recent);
                await Task.Delay(250);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static async Task<string> UrlAsync(Process process)
    {
        const string marker = "Reactor dashboard: ";
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                return line[marker.Length..].Split(' ')[0];
            }
        }
        throw new InvalidOperationException("the example ended without printing its URL: " + await process.StandardError.ReadToEndAsync());
    }

    private static string ExampleDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "Dashboard", "bin", configuration, "net10.0", "Dashboard.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("examples/Dashboard is not built above " + AppContext.BaseDirectory);
    }
}
