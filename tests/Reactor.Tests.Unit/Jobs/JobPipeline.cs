using Reactor.Node.Jobs;

namespace Reactor.Tests.Unit.Jobs;

/// <summary>Runs a definition's steps the way a node does: job, then callbacks; on failure, the errbacks.</summary>
internal static class JobPipeline
{
    public static async Task SucceedAsync(JobDefinition job, JobArgs args)
    {
        await job.Body!.Run(args);
        foreach (var callback in job.Callbacks)
        {
            await callback.Run(args);
        }
    }

    public static async Task FailAsync(JobDefinition job, JobArgs args, Exception error)
    {
        args["error"] = error.Message;
        foreach (var errback in job.Errbacks)
        {
            await errback.Run(args);
        }
    }
}
