namespace Reactor.Protocol;

/// <summary>
/// Limits applied to everything read from a peer, checked before memory is committed to it.
/// </summary>
public sealed record ProtocolLimits
{
    /// <summary>
    /// The newest protocol version this build speaks. Version 2 added the reason of a result
    /// (<c>Result.Reason</c>) and the rule that <c>Result.Outcome</c> alone decides a job's outcome;
    /// version 3 added message types a version 2 peer would refuse: <c>DispatchBatch</c> (13, several jobs per frame)
    /// and <c>ResultAckRange</c> (14, results acknowledged in runs).
    /// </summary>
    public const int CurrentVersion = 3;

    /// <summary>The oldest protocol version this build still speaks, with peers that speak no newer one.</summary>
    public const int OldestVersion = 1;

    /// <summary>The first version whose <c>Result</c> carries a reason and an error text for every job that did not succeed.</summary>
    public const int ResultReasonVersion = 2;

    /// <summary>The first version whose distributor may send several jobs in one <c>DispatchBatch</c> frame.</summary>
    public const int DispatchBatchVersion = 3;

    /// <summary>
    /// The first version whose distributor acknowledges final results with <c>ResultAckRange</c> (by their running
    /// number on the connection) instead of a <c>ResultAck</c> per job.
    /// </summary>
    public const int RangeAckVersion = 3;

    /// <summary>
    /// The version a node speaks on a connection whose distributor speaks <paramref name="lowest"/> to
    /// <paramref name="highest"/> (the Greeting's <c>ProtocolVersion</c> and <c>MaxProtocolVersion</c>, the latter
    /// 0 when absent): the newest both speak, or null when they share none.
    /// </summary>
    public static int? Negotiate(int lowest, int highest)
    {
        var top = Math.Min(Math.Max(lowest, highest), CurrentVersion);
        return top >= Math.Max(lowest, OldestVersion) ? top : null;
    }

    /// <summary>True when a distributor of this build accepts a Hello with <paramref name="version"/>.</summary>
    public static bool Speaks(int version) => version is >= OldestVersion and <= CurrentVersion;

    /// <summary>Largest frame body accepted, in bytes. Default: 4 MiB.</summary>
    public int MaxFrameBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Deepest nesting of lists and maps inside job args. Default: 32.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Most entries in one list or map inside a frame. Default: 100,000.</summary>
    public int MaxCollectionLength { get; init; } = 100_000;

    /// <summary>The defaults.</summary>
    public static ProtocolLimits Default { get; } = new();
}
