namespace Reactor.TestJobs;

/// <summary>Jobs for the outcome tests: one per way a job can end.</summary>
public sealed class OutcomeJobs : IJobModule
{
    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        // Says on stdout that it runs (the test's positive event for "cancel during a run"), then waits.
        jobs.Job("outcome_sleep", async args =>
        {
            Console.WriteLine($"outcome running tag={args.Get<string>("tag")}");
            await Task.Delay(args.Get<int>("ms"));
            args["slept"] = true;
        });

        // Ends its own job, leaving a mark in the args first.
        jobs.Job("cancel_self", args =>
        {
            args["before_cancel"] = true;
            throw new CancelJob("had enough");
        });
    }
}
