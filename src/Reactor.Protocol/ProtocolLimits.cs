namespace Reactor.Protocol;

/// <summary>
/// Limits applied to everything read from a peer, checked before memory is committed to it.
/// </summary>
public sealed record ProtocolLimits
{
    /// <summary>The protocol version this build speaks. A peer with another version is refused.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Largest frame body accepted, in bytes. Default: 4 MiB.</summary>
    public int MaxFrameBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Deepest nesting of lists and maps inside job args. Default: 32.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Most entries in one list or map inside a frame. Default: 100,000.</summary>
    public int MaxCollectionLength { get; init; } = 100_000;

    /// <summary>The defaults.</summary>
    public static ProtocolLimits Default { get; } = new();
}
