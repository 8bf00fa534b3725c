using System.Globalization;

namespace Reactor.TestJobs;

/// <summary>
/// Jobs for the kill-and-resume tests. Each execution leaves files named after what it did, the node
/// process id and the attempt (<c>--merge-job-itself</c> must be on), in args["dir"], so the test can
/// tell an attempt resumed from storage (it continues the stored attempt count) from a fresh copy the
/// distributor re-sent (attempt 1), and count executions across processes, including killed ones.
/// </summary>
public sealed class ResumeJobs : IJobModule
{
    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        // Holds until the test creates args["dir"]/release: the node can be killed while it runs.
        jobs.Job("resume_hold", async args =>
        {
            var dir = args.Get<string>("dir");
            var key = args.Get<string>("key");
            Mark(dir, $"start-{key}-{Environment.ProcessId}-a{Attempt(args)}");
            while (!File.Exists(Path.Combine(dir, "release")))
            {
                await Task.Delay(50);
            }
            Mark(dir, $"done-{key}-{Environment.ProcessId}");
        });

        // A fork/join parent: registers a join on e0..e{count-1}, then publishes count children with
        // a pause between them (so a kill lands mid-publish).
        jobs.Job("flow_slow_parent", async args =>
        {
            var dir = args.Get<string>("dir");
            var count = args.Get<int>("count");
            var tag = args.Get<string>("tag");
            var attempt = Attempt(args);
            Mark(dir, $"parent-start-{Environment.ProcessId}-a{attempt}");
            var events = Enumerable.Range(0, count).Select(i => $"e{i}").ToArray();
            args.PublishOnEvents("flow_finalize", new { dir, tag }, events);
            for (var i = 0; i < count; i++)
            {
                args.PublishNext("flow_child", new { dir, i });
                await Task.Delay(args.Get<int>("pause_ms"));
            }
            Mark(dir, $"parent-end-{Environment.ProcessId}-a{attempt}");
        });
        jobs.JobErrback("flow_slow_parent", "note_failure",
            args => Mark(args.Get<string>("dir"), $"parent-failed-{Environment.ProcessId}-a{Attempt(args)}", args.Get<string>("error")));

        // One file per execution, named after the child's position and its (deterministic) job id.
        jobs.Job("flow_child", args =>
        {
            var i = args.Get<int>("i");
            var id = args.FlowJobId().Replace(':', '_');
            Mark(args.Get<string>("dir"), $"child-{i}-{id}");
            args.EmitEvents($"e{i}", new { i });
        });
    }

    private static int Attempt(JobArgs args) =>
        args["job_itself"] is IDictionary<string, object?> itself
            ? Convert.ToInt32(itself["attempt"], CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("start the node with --merge-job-itself true");

    private static void Mark(string dir, string what, string content = "") =>
        File.WriteAllText(Path.Combine(dir, $"{what}-{Guid.NewGuid():N}"), content);
}
