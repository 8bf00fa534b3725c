namespace Reactor.TestJobs;

/// <summary>Jobs for the application-crash tests: they leave evidence on disk that they ran, outside any Reactor channel.</summary>
public sealed class DurabilityJobs : IJobModule
{
    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        // Sleeps, then writes "{dir}/ran-{i}": the test sees the node finish a job while the app is down.
        jobs.Job("sleep_mark", async args =>
        {
            await Task.Delay(args.Get<int>("ms"));
            var dir = args.Get<string>("dir");
            File.WriteAllText(Path.Combine(dir, $"ran-{args.Get<long>("i")}-{Guid.NewGuid():N}"), "");
        });
    }
}
