namespace Reactor.TestJobs;

/// <summary>Jobs for the dashboard's browser tests.</summary>
public sealed class DashboardJobs : IJobModule
{
    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        // Fails until the file args["file"] exists: the test creates it, then retries from the browser.
        jobs.Job("fail_until_file", args =>
        {
            var file = args.Get<string>("file");
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"waiting for {file}");
            }
        });

        // Fails with the message args["message"], so a test controls the error text.
        jobs.Job("fail_with", args => throw new InvalidOperationException(args.Get<string>("message")));
    }
}
