namespace Reactor.TestJobs;

/// <summary>
/// A job for the limit tests that measures itself: "span" returns when it started and stopped (UTC ticks,
/// one clock for every process on the machine) and which process ran it, so a test can count how many
/// ran at once and how many started per second, whatever the distributor believes.
/// </summary>
public sealed class LimitJobs : IJobModule
{
    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        jobs.Job("span", async args =>
        {
            args["start"] = DateTime.UtcNow.Ticks;
            var ms = args.Get("ms", 100);
            if (ms > 0)
            {
                await Task.Delay(ms);
            }
            args["stop"] = DateTime.UtcNow.Ticks;
            args["pid"] = Environment.ProcessId;
        });
    }
}
