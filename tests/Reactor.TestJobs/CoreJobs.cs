namespace Reactor.TestJobs;

/// <summary>
/// The jobs the integration tests enqueue. Node child processes load this assembly from their jobs directory.
/// </summary>
/// <remarks>
/// Job code here never uses <c>ConfigureAwait(false)</c>: continuations must come back to wherever the node
/// runs jobs, which is what the <c>thread</c> job lets the tests observe.
/// </remarks>
public sealed class CoreJobs : IJobModule
{
    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        jobs.Job("noop", _ => { });
        jobs.Job("echo", _ => { });

        jobs.Job("add", args => args["sum"] = args.Get<long>("a") + args.Get<long>("b"));
        jobs.JobCallback("add", "double", args => args["doubled"] = args.Get<long>("sum") * 2);
        jobs.JobCallback("add", "mark", args => args["marked"] = args.ContainsKey("doubled"));

        // A method group, because a lambda that only throws would bind to the Func<JobArgs, Task> overload.
        jobs.Job("fail", Fail);
        jobs.JobErrback("fail", "note", args => args["noted"] = true);

        jobs.Job("async_add", async args =>
        {
            await Task.Yield();
            args["sum"] = args.Get<long>("a") + args.Get<long>("b");
        });

        jobs.Job("thread", args =>
        {
            args["thread"] = Environment.CurrentManagedThreadId;
            args["thread_name"] = Thread.CurrentThread.Name ?? "";
        });

        jobs.Job("sleep", async args =>
        {
            await Task.Delay(args.Get<int>("ms"));
            args["slept"] = true;
        });

        jobs.Job("node_name", args => args["node"] = Environment.GetEnvironmentVariable("REACTOR_NODE_NAME") ?? "");
    }

    private static void Fail(JobArgs args) => throw new InvalidOperationException("boom");
}
