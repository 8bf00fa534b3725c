using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>Builds raw frames and bodies by hand, for inputs the codec itself would never write.</summary>
internal static class Bytes
{
    public delegate void BodyWriter(ref MessagePackWriter writer);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>A length prefix followed by <paramref name="body"/>.</summary>
    public static byte[] Frame(byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    public static byte[] Frame(BodyWriter write) => Frame(Body(write));

    public static byte[] Body(BodyWriter write)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(output);
        write(ref writer);
        writer.Flush();
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A Dispatch frame whose args field holds <paramref name="rawArgs"/> as they are.</summary>
    public static byte[] DispatchWithRawArgs(byte[] rawArgs) => Frame((ref MessagePackWriter writer) =>
    {
        writer.WriteArrayHeader(2);
        writer.Write(4);
        writer.WriteArrayHeader(9);
        writer.Write("job-1");
        writer.Write("report");
        writer.WriteRaw(rawArgs);
        writer.Write(0);
        writer.Write(0);
        writer.Write(false);
        writer.Write(0);
        writer.Write(0);
        writer.Write(0);
    });

    /// <summary>Splits <paramref name="bytes"/> into a sequence of one-byte segments.</summary>
    public static ReadOnlySequence<byte> OneByteSegments(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }
        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
