using Reactor.Protocol.Messages;

namespace Reactor.Distributor.Feedback;

/// <summary>
/// The one place where a node's <see cref="Result"/> becomes the application's <see cref="JobResult"/>,
/// and a <see cref="JobOutcome"/> picks the feedback lambda. <c>EnqueueAsync</c>, the lambdas, <c>OnResult</c>,
/// the journal and the snapshot all see what this returns, so they cannot disagree.
/// </summary>
internal static class OutcomeMapping
{
    /// <summary>What the app reads when a node reported a failure but no text (a node that breaks protocol.md section 7.5).</summary>
    public const string MissingFailureText = "the node reported a failure without an error text";

    /// <summary>What a protocol version 1 node's self-cancelled job reads as: that version sent no text for it.</summary>
    public const string CancelledByJobText = "cancelled by the job";

    /// <summary>
    /// Maps a result: <see cref="Result.Outcome"/> alone decides the outcome. The error text has one source,
    /// the <see cref="Result.Error"/> field; the args the app sees hold a copy of it under <c>"error"</c>,
    /// written here over whatever the node left there, so <c>args["error"]</c> and <see cref="JobResult.Error"/>
    /// never differ. A result of a job that did not succeed always has a text.
    /// </summary>
    public static JobResult ToJobResult(Result result)
    {
        var reason = result.Reason;
        string? error = null;
        if (result.Outcome != JobOutcome.Succeeded)
        {
            error = result.Error;
            if (reason == JobOutcomeReason.Unspecified && result.Outcome == JobOutcome.Cancelled && error is null)
            {
                // Protocol version 1: the only cancelled result without a text is a job that cancelled itself.
                reason = JobOutcomeReason.CancelledByJob;
                error = CancelledByJobText;
            }
            // A version 1 node was told to set both; if it set only the args, they are all there is.
            error ??= result.Args.TryGetValue("error", out var fromArgs) && fromArgs is string text
                ? text
                : result.Outcome == JobOutcome.Cancelled ? "cancelled" : MissingFailureText;
            result.Args["error"] = error;
        }
        else if (reason == JobOutcomeReason.Unspecified)
        {
            reason = JobOutcomeReason.Completed;
        }
        return new JobResult(result.JobId, result.Outcome, result.Args, error) { Reason = reason };
    }

    /// <summary>
    /// The lambda that runs for <paramref name="outcome"/>: success for a success only; error for a failure;
    /// for a cancellation the <c>cancelled</c> lambda, or the error lambda when the app gave none (a cancelled
    /// job did not do its work, so an app that only handles success and error hears of it as an error).
    /// </summary>
    public static Action<JobArgs>? Lambda(JobFeedback feedback, JobOutcome outcome) => outcome switch
    {
        JobOutcome.Succeeded => feedback.Success,
        JobOutcome.Cancelled => feedback.Cancelled ?? feedback.Error,
        _ => feedback.Error,
    };
}
