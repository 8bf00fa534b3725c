using System.IO.Pipelines;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>
/// A fake peer link: the test writes into <see cref="FromPeer"/> what the connection reads, and
/// reads from <see cref="ToPeer"/> what the connection writes.
/// </summary>
internal sealed class DuplexPipe : IDuplexPipe
{
    // A tiny segment size makes every multi-byte frame straddle segments, the case a
    // contiguous-buffer parser gets wrong. The writer never pauses, so a test can write a whole
    // oversized input before the connection starts reading it.
    private static readonly PipeOptions SmallSegments = new(
        pauseWriterThreshold: 0, minimumSegmentSize: 16, useSynchronizationContext: false);

    private readonly Pipe _fromPeer = new(SmallSegments);
    private readonly Pipe _toPeer = new(SmallSegments);

    public PipeWriter FromPeer => _fromPeer.Writer;

    public PipeReader ToPeer => _toPeer.Reader;

    public PipeReader Input => _fromPeer.Reader;

    public PipeWriter Output => _toPeer.Writer;
}
