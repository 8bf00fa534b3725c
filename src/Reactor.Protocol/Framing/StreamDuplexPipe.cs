using System.IO.Pipelines;

namespace Reactor.Protocol.Framing;

/// <summary>A duplex pipe over any stream (a NetworkStream, an SslStream, a test stream).</summary>
public sealed class StreamDuplexPipe : IDuplexPipe
{
    private StreamDuplexPipe(PipeReader input, PipeWriter output)
    {
        Input = input;
        Output = output;
    }

    /// <inheritdoc />
    public PipeReader Input { get; }

    /// <inheritdoc />
    public PipeWriter Output { get; }

    /// <summary>Wraps <paramref name="stream"/>; completing both sides disposes it.</summary>
    public static StreamDuplexPipe From(Stream stream) =>
        new(PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true)));
}
