namespace Reactor.TestJobs;

/// <summary>
/// Jobs for the scheduling, retry and cancellation tests. State kept between runs lives in static
/// maps keyed by an arg the test chooses; it is only touched on the node's reactor thread, so it
/// needs no locks (deferred jobs never use it).
/// </summary>
public sealed class SchedulingJobs : IJobModule
{
    private static readonly Dictionary<string, int> Runs = new(StringComparer.Ordinal);

    /// <summary>How many stamp jobs started in this process: a start order with no ties, unlike the clock.</summary>
    private static long _stamps;

    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        jobs.Job("stamp", args =>
        {
            args["ran_at_ms"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            args["start_seq"] = Interlocked.Increment(ref _stamps);
            args["thread_name"] = Thread.CurrentThread.Name ?? "";
            args["pid"] = Environment.ProcessId;
        });

        // Counts its runs under args["key"]; throws CancelJob on the run numbered args["cancel_on"].
        jobs.Job("count_runs", args =>
        {
            var runs = Bump(args.Get<string>("key"));
            args["run"] = runs;
            if (runs >= args.Get("cancel_on", int.MaxValue))
            {
                throw new CancelJob("enough runs");
            }
        });

        // Fails until the attempt numbered args["succeed_on"] (per key).
        jobs.Job("flaky", args =>
        {
            var attempt = Bump(args.Get<string>("key"));
            args["attempts_seen"] = attempt;
            // Each attempt starts from the enqueued args: the last attempt's "error" must be gone.
            args["saw_old_error"] = args.ContainsKey("error");
            if (attempt < args.Get<int>("succeed_on"))
            {
                throw new InvalidOperationException($"flaky attempt {attempt}");
            }
        });

        jobs.Job("fail_cancel_in_errback", Fail);
        jobs.JobErrback("fail_cancel_in_errback", "give_up", _ => throw new CancelJob("errback gave up"));

        jobs.Job("callback_throws", args => args["job_ran"] = true);
        jobs.JobCallback("callback_throws", "explode", _ => throw new FormatException("callback broke"));

        jobs.Job("errback_throws", Fail);
        jobs.JobErrback("errback_throws", "broken", _ => throw new InvalidOperationException("errback broke"));
        jobs.JobErrback("errback_throws", "still_runs", args => args["second_errback"] = true);

        jobs.Job("unsendable", args => args["socket"] = new object());

        // Args that grow past the 4 MiB frame limit: 3 MiB from the job, 2 MiB more from its callback.
        // The stdout line lets a test count executions in a node process.
        jobs.Job("oversized", args =>
        {
            Console.WriteLine($"oversized ran tag={args.Get<string>("tag")}");
            args["blob"] = new byte[3 * 1024 * 1024];
        });
        jobs.JobCallback("oversized", "grow", args => args["more"] = new byte[2 * 1024 * 1024]);

        jobs.Job("hang", async _ => await Task.Delay(Timeout.Infinite));

        jobs.Job("blocking", args =>
        {
            Thread.Sleep(args.Get("ms", 50));
            args["thread_name"] = Thread.CurrentThread.Name ?? "";
            args["pool_thread"] = Thread.CurrentThread.IsThreadPoolThread;
        });
    }

    private static int Bump(string key)
    {
        Runs[key] = Runs.GetValueOrDefault(key) + 1;
        return Runs[key];
    }

    private static void Fail(JobArgs args) => throw new InvalidOperationException("scheduled failure");
}
