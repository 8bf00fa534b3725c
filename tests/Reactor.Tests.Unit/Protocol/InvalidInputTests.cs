using System.Buffers;
using System.Text;
using MessagePack;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

public class InvalidInputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly MessageCodec Codec = new();

    /// <summary>
    /// Each case: the bytes a peer sends, whether it then closes its side, and a fragment of the
    /// error. Unless the case says so the peer stays open, so a reader that waits for more bytes
    /// instead of refusing what it has fails the case by timing out.
    /// </summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, byte[] bytes, string fragment, bool peerCloses = false) =>
            new TestCaseData(bytes, peerCloses, fragment).SetArgDisplayNames(name);

        yield return Case("garbage text", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "exceeds the limit");
        yield return Case("garbage inside a frame", Bytes.Hex("00000003 c1 c1 c1"), "malformed message");
        yield return Case("truncated frame then end of stream", Codec.EncodeFrame(new Cancel("job-42"))[..^1],
            "connection closed inside a frame", peerCloses: true);
        yield return Case("header alone then end of stream", Bytes.Hex("00000010"),
            "connection closed inside a frame", peerCloses: true);
        yield return Case("length prefix over MaxFrameBytes, no body sent", Bytes.Hex("00400001"),
            "frame of 4194305 bytes exceeds the limit of 4194304");
        yield return Case("length prefix of 4 GiB - 1", Bytes.Hex("ffffffff"), "exceeds the limit");
        yield return Case("zero length", Bytes.Hex("00000000"), "empty frame");
        yield return Case("unknown message type code", Bytes.Frame(Bytes.Hex("92 63 90")), "unknown message type 99");
        yield return Case("negative message type code", Bytes.Frame(Bytes.Hex("92 ff 90")), "unknown message type -1");
        yield return Case("type code is a string", Bytes.Frame(Bytes.Hex("92 a1 31 90")), "malformed message");
        yield return Case("body is a string, not an array", Bytes.Frame(Bytes.Hex("a3 61 62 63")), "malformed message");
        yield return Case("body is a map, not an array", Bytes.Frame(Bytes.Hex("81 00 90")), "malformed message");
        yield return Case("body array of one element", Bytes.Frame(Bytes.Hex("91 06")), "expected [type, fields]");
        yield return Case("body array of three elements", Bytes.Frame(Bytes.Hex("93 06 91 01 c0")), "expected [type, fields]");
        yield return Case("fields are a string, not an array", Bytes.Frame(Bytes.Hex("92 06 a1 78")), "malformed message");
        yield return Case("Hello whose node name is an integer", Bytes.Frame(HelloBody(5, 4, ["a"])), "malformed message");
        yield return Case("Hello whose capacity is a string", Bytes.Frame(HelloBody("n", "four", ["a"])), "malformed message");
        yield return Case("Hello with a nil node name", Bytes.Frame(HelloBody(null, 4, ["a"])), "Hello.NodeName");
        yield return Case("Hello with a nil job name", Bytes.Frame(HelloBody("n", 4, ["a", null])), "nil");
        yield return Case("Hello with missing fields", Bytes.Frame(Bytes.Hex("92 01 92 01 a1 6e")), "type 1 needs at least 5 fields, found 2");
        yield return Case("Dispatch with no fields", Bytes.Frame(Bytes.Hex("92 04 90")), "type 4 needs at least 9 fields, found 0");
        yield return Case("Result with an undefined outcome", Bytes.Frame(Bytes.Hex("92 05 96 a1 6a 07 80 c0 c3 01")), "Result.Outcome");
        yield return Case("Publish with an undefined kind", Bytes.Frame(Bytes.Hex("92 0b 98 a1 6a 00 07 a1 6e 80 00 90 c2")), "Publish.Kind");
        yield return Case("Publish with a negative index", Bytes.Frame(Bytes.Hex("92 0b 98 a1 6a ff 00 a1 6e 80 00 90 c2")), "Publish.Index");
        yield return Case("Publish with nil events", Bytes.Frame(Bytes.Hex("92 0b 98 a1 6a 00 02 a1 6e 80 00 c0 c2")), "Publish.Events");
        yield return Case("nil body", Bytes.Frame(Bytes.Hex("c0")), "nil");
        yield return Case("stray bytes after the message", Bytes.Frame(Bytes.Hex("92 06 91 02 00 00")), "2 stray bytes");
        yield return Case("string claiming more bytes than the frame holds", Bytes.Frame(Bytes.Hex("92 07 91 db 7f ff ff ff 61")),
            "malformed message");
        yield return Case("job args nested 1,000 levels deep", Bytes.DispatchWithRawArgs(NestedLists(1000)), "nest deeper than 32");
        yield return Case("job args map header claiming 2^31-1 entries", Bytes.DispatchWithRawArgs(Bytes.Hex("df 7f ff ff ff")),
            "malformed message");
        yield return Case("job args array header claiming 2^31-1 entries",
            Bytes.DispatchWithRawArgs(Bytes.Hex("81 a1 6c dd 7f ff ff ff")), "malformed message");
        yield return Case("fields array header claiming 2^31-1 entries", Bytes.Frame(Bytes.Hex("92 06 dd 7f ff ff ff 01")),
            "malformed message");
        yield return Case("job names array header claiming 2^31-1 entries",
            Bytes.Frame(Bytes.Hex("92 01 96 01 a1 6e 01 dd 7f ff ff ff c0 c0")), "malformed message");
        yield return Case("job args map with an integer key", Bytes.DispatchWithRawArgs(Bytes.Hex("81 01 a1 78")), "keys must be strings");
        yield return Case("nested map with a nil key", Bytes.DispatchWithRawArgs(Bytes.Hex("81 a1 6d 81 c0 01")), "keys must be strings");
        yield return Case("job args that are an array", Bytes.DispatchWithRawArgs(Bytes.Hex("91 01")), "malformed message");
        yield return Case("job args list longer than MaxCollectionLength",
            Bytes.DispatchWithRawArgs(ListOfNils(ProtocolLimits.Default.MaxCollectionLength + 1)),
            "a collection of 100001 entries exceeds the limit of 100000");
        yield return Case("job names longer than MaxCollectionLength",
            Bytes.Frame(HelloBody("n", 4, Enumerable.Repeat<string?>("j", ProtocolLimits.Default.MaxCollectionLength + 1).ToArray())),
            "a collection of 100001 entries exceeds the limit of 100000");
        yield return Case("job arg of an unknown extension type", Bytes.DispatchWithRawArgs(Bytes.Hex("81 a1 78 d4 07 00")),
            "unsupported MessagePack value");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Invalid_input_is_refused_with_InvalidDataException(byte[] bytes, bool peerCloses, string fragment)
    {
        var pipe = new DuplexPipe();
        await using var connection = new FramedConnection(pipe, Codec);
        await pipe.FromPeer.WriteAsync(bytes);
        if (peerCloses)
        {
            await pipe.FromPeer.CompleteAsync();
        }

        var error = Assert.ThrowsAsync<InvalidDataException>(async () => await connection.ReceiveAsync().AsTask().WaitAsync(Patience));

        Assert.That(error!.Message, Does.Contain(fragment));
    }

    [TestCaseSource(nameof(Cases))]
    public void Invalid_input_split_into_one_byte_segments_is_refused_the_same_way(byte[] bytes, bool peerCloses, string fragment)
    {
        var buffer = Bytes.OneByteSegments(bytes);

        if (peerCloses)
        {
            // A truncated frame is only an error once the stream ends; until then it is incomplete.
            Assert.That(Codec.TryReadFrame(ref buffer, out _), Is.False);
            return;
        }
        var error = Assert.Throws<InvalidDataException>(() => Codec.TryReadFrame(ref buffer, out _));
        Assert.That(error!.Message, Does.Contain(fragment));
    }

    [Test]
    public async Task Valid_frames_before_a_bad_one_are_delivered_first()
    {
        var pipe = new DuplexPipe();
        await using var connection = new FramedConnection(pipe, Codec);
        await pipe.FromPeer.WriteAsync((byte[])[.. Codec.EncodeFrame(new Credit(1)), .. Bytes.Hex("00000000")]);

        Assert.That(await connection.ReceiveAsync().AsTask().WaitAsync(Patience), Is.EqualTo(new Credit(1)));
        Assert.ThrowsAsync<InvalidDataException>(async () => await connection.ReceiveAsync().AsTask().WaitAsync(Patience));
    }

    [Test]
    public void Frame_longer_than_the_limit_is_refused_before_its_body_arrives()
    {
        var codec = new MessageCodec(new ProtocolLimits { MaxFrameBytes = 100 });
        var buffer = new ReadOnlySequence<byte>(Bytes.Hex("00000065"));

        var error = Assert.Throws<InvalidDataException>(() => codec.TryReadFrame(ref buffer, out _));

        Assert.That(error!.Message, Does.Contain("frame of 101 bytes exceeds the limit of 100"));
    }

    [Test]
    public void Frame_exactly_at_the_limit_is_accepted()
    {
        var codec = new MessageCodec(new ProtocolLimits { MaxFrameBytes = 10 });
        var frame = codec.EncodeFrame(new Cancel("abcdef"));
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.That(frame, Has.Length.EqualTo(4 + 10));
        Assert.That(codec.TryReadFrame(ref buffer, out var message), Is.True);
        Assert.That(message, Is.EqualTo(new Cancel("abcdef")));
    }

    private static IEnumerable<TestCaseData> HugeHeaders()
    {
        yield return new TestCaseData(Bytes.DispatchWithRawArgs(Bytes.Hex("df 7f ff ff ff"))).SetArgDisplayNames("map");
        yield return new TestCaseData(Bytes.DispatchWithRawArgs(Bytes.Hex("81 a1 6c dd 7f ff ff ff"))).SetArgDisplayNames("array");
        yield return new TestCaseData(Bytes.DispatchWithRawArgs(Bytes.Hex("81 a1 6c c6 7f ff ff ff"))).SetArgDisplayNames("binary");
        yield return new TestCaseData(Bytes.Frame(Bytes.Hex("92 01 96 01 a1 6e 01 dd 7f ff ff ff c0 c0"))).SetArgDisplayNames("string array");
    }

    [TestCaseSource(nameof(HugeHeaders))]
    public void Header_claiming_2_pow_31_entries_in_a_tiny_frame_fails_without_allocating_for_them(byte[] frame)
    {
        void Read()
        {
            var buffer = new ReadOnlySequence<byte>(frame);
            Codec.TryReadFrame(ref buffer, out _);
        }

        // The first failure pays for JIT and resource lookups; measure the second.
        Assert.Throws<InvalidDataException>(Read);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(Read);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.LessThan(256 * 1024), "bytes allocated while refusing the frame");
    }

    [Test]
    public void Job_args_nested_to_exactly_the_depth_limit_are_accepted_and_one_more_level_is_refused()
    {
        // The args map itself is level 1, so 31 nested lists reach the limit of 32.
        var atLimit = new ReadOnlySequence<byte>(Bytes.DispatchWithRawArgs(NestedLists(ProtocolLimits.Default.MaxDepth - 1)));
        var overLimit = new ReadOnlySequence<byte>(Bytes.DispatchWithRawArgs(NestedLists(ProtocolLimits.Default.MaxDepth)));

        Assert.That(Codec.TryReadFrame(ref atLimit, out var message), Is.True);
        Assert.That(((Dispatch)message).Args.ContainsKey("a"), Is.True);
        Assert.Throws<InvalidDataException>(() => Codec.TryReadFrame(ref overLimit, out _));
    }

    /// <summary>Args <c>{"a": [[[...nil...]]]}</c> with <paramref name="depth"/> nested lists.</summary>
    private static byte[] NestedLists(int depth) =>
        [.. Bytes.Hex("81 a1 61"), .. Enumerable.Repeat((byte)0x91, depth), 0xc0];

    private static byte[] ListOfNils(int count) => Bytes.Body((ref MessagePackWriter writer) =>
    {
        writer.WriteMapHeader(1);
        writer.Write("l");
        writer.WriteArrayHeader(count);
        for (var i = 0; i < count; i++)
        {
            writer.WriteNil();
        }
    });

    private static byte[] HelloBody(object? nodeName, object? capacity, string?[] jobNames) =>
        Bytes.Body((ref MessagePackWriter writer) =>
        {
            writer.WriteArrayHeader(2);
            writer.Write(MessageType.Hello);
            writer.WriteArrayHeader(6);
            writer.Write(ProtocolLimits.CurrentVersion);
            WriteLoose(ref writer, nodeName);
            WriteLoose(ref writer, capacity);
            writer.WriteArrayHeader(jobNames.Length);
            foreach (var name in jobNames)
            {
                writer.Write(name);
            }
            writer.Write("memory");
            writer.WriteNil();
        });

    private static void WriteLoose(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case int i: writer.Write(i); break;
            case string s: writer.Write(s); break;
            default: throw new ArgumentOutOfRangeException(nameof(value));
        }
    }
}
