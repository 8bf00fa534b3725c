namespace Reactor.Protocol.Jobs;

/// <summary>
/// What job code reaches through the args it was given: the attempt's cancellation token and its
/// progress sink. The node attaches one per attempt, like the fork/join context; args that do not
/// belong to a running attempt (built by hand, or an app's copy) have none. Public for node
/// implementations (<c>Reactor.Node</c> derives from it); job code reads it through its args' extensions.
/// </summary>
public abstract class AttemptContext
{
    /// <summary>Fires on the job's timeout, on a cancel from the app, and when the node shuts down.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Reports progress; never blocks and never throws for a lost connection (progress is informational).</summary>
    public abstract void ReportProgress(double fraction, string? message);

    /// <summary>Attaches <paramref name="context"/> to an attempt's args (replacing an earlier attempt's).</summary>
    /// <remarks>Held by the args object itself, like the fork/join context: a weak table cost a GC handle per attempt.</remarks>
    public static void Attach(JobArgs args, AttemptContext context) => args.Attempt = context;

    /// <summary>The context attached to <paramref name="args"/>, or null when they are not a running attempt's.</summary>
    public static AttemptContext? Of(JobArgs args) => args.Attempt;
}
