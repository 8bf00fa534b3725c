using MessagePack;

namespace Reactor.Protocol.Messages;

/// <summary>
/// Job code reported how far it got (<c>args.ReportProgress</c> or <c>JobContext.ReportProgress</c>).
/// Informational only: the node sends at most a few per second per job, drops them when the job's
/// connection is gone, and the distributor forwards them to the app's progress feedback, if any.
/// </summary>
[MessagePackObject]
public sealed record Progress(
    [property: Key(0)] string JobId,
    [property: Key(1)] int Attempt,
    [property: Key(2)] double Fraction,
    [property: Key(3)] string? Message) : IReactorMessage
{
    /// <summary>The longest <see cref="Message"/> a node sends (in UTF-16 code units); longer text is cut.</summary>
    public const int MaxMessageLength = 1000;
}
