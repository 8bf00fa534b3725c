using Reactor.Node.Jobs;

namespace Reactor.Tests.Unit.Jobs;

/// <summary>Runs a definition's steps the way a node does: job, then callbacks; on failure, the errbacks.</summary>
internal static class JobPipeline
{
    public static async Task SucceedAsync(JobDefinition job, JobArgs args)
    {
        await job.Body!.Run(Context(args));
        foreach (var callback in job.Callbacks)
        {
            await callback.Run(Context(args));
        }
    }

    /// <summary>What a node hands each step: here a context with no job behind it and no services.</summary>
    public static JobContext Context(JobArgs args) =>
        new("job-1", "job", 1, args, CancellationToken.None, () => throw new InvalidOperationException("no services in unit tests"));

    public static async Task FailAsync(JobDefinition job, JobArgs args, Exception error)
    {
        args["error"] = error.Message;
        foreach (var errback in job.Errbacks)
        {
            await errback.Run(Context(args));
        }
    }
}
