using Reactor.Protocol.Jobs;

namespace Reactor;

/// <summary>What job code can do through the args of the attempt it runs: report progress, see cancellation.</summary>
public static class JobArgsAttempt
{
    /// <summary>
    /// Reports how far the job got: <paramref name="fraction"/> from 0 to 1 and an optional message
    /// (cut at 1,000 characters). The node sends at most a few reports per second per job (the latest
    /// wins, and the last one before the job ends is always sent); the app sees them through the
    /// <c>progress</c> feedback of <c>Enqueue</c>/<c>EnqueueAsync</c>, and the job's stored record keeps the last.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not a number from 0 to 1.</exception>
    /// <exception cref="InvalidOperationException">These args do not belong to a running job.</exception>
    public static void ReportProgress(this JobArgs args, double fraction, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!double.IsFinite(fraction) || fraction is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "progress is a fraction from 0 to 1");
        }
        var context = AttemptContext.Of(args)
            ?? throw new InvalidOperationException("these args do not belong to a running job: report progress from job code, with the args the job received");
        context.ReportProgress(fraction, message);
    }

    /// <summary>
    /// The running attempt's cancellation token (the one a job given as <c>(args, ct) =&gt; ...</c> receives):
    /// it fires on the job's <c>Timeout</c>, on <c>JR.Cancel</c> and when the node shuts down.
    /// <see cref="CancellationToken.None"/> for args that do not belong to a running job.
    /// </summary>
    public static CancellationToken CancellationToken(this JobArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return AttemptContext.Of(args)?.CancellationToken ?? System.Threading.CancellationToken.None;
    }
}
