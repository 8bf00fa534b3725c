namespace Reactor.Tests.Integration.Support;

/// <summary>
/// A jobs directory holding the Reactor.TestJobs module plus a script of jobs that break their node:
/// <c>poison</c> kills the process (as a stack overflow would) and <c>block</c> blocks its thread forever.
/// </summary>
internal sealed class FaultJobs : IDisposable
{
    private const string Script = """
        // Kills the whole node process at once, like a stack overflow: no exception, no Goodbye.
        Job("poison", args => Environment.FailFast("poison job"));

        // Blocks the thread it runs on for good: on the reactor loop, without Defer, this is what the
        // node's watchdog has to get the node out of.
        Job("block", args => System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite));

        // Fails, then its errback blocks the loop: code the watchdog cannot pin on a running attempt.
        Job("errback_blocks", args => throw new InvalidOperationException("fails so its errback runs"));
        JobErrback("errback_blocks", "hang", args => System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite));
        """;

    public FaultJobs()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("reactor-faultjobs-").FullName;
        foreach (var file in System.IO.Directory.EnumerateFiles(Cluster.JobsDirectory))
        {
            File.Copy(file, Path.Combine(Directory, Path.GetFileName(file)));
        }
        File.WriteAllText(Path.Combine(Directory, "faults.csx"), Script);
    }

    public string Directory { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
