using System.Buffers;
using System.Buffers.Binary;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>
/// Whatever bytes a peer sends, decoding either yields a message or throws <see cref="InvalidDataException"/>:
/// the one exception the read loops turn into "close this connection, log why". Any other type
/// (OverflowException, EndOfStreamException, ...) would escape them and silence a node or leak a session.
/// </summary>
public class DecodeErrorTests
{
    private static readonly MessageCodec Codec = new();

    private static IEnumerable<TestCaseData> OverflowingFields()
    {
        TestCaseData Case(string name, string bodyHex, string fragment) =>
            new TestCaseData(Bytes.Hex(bodyHex), fragment).SetArgDisplayNames(name);

        // ce = uint32, cf = uint64, d3 = int64: valid MessagePack integers too large for the field.
        yield return Case("Greeting.ProtocolVersion 0xffffffff", "92 00 94 ce ffffffff a1 64 c4 10 000102030405060708090a0b0c0d0e0f c3", "malformed message");
        yield return Case("Hello.Capacity 0xffffffff", "92 01 96 01 a1 6e ce ffffffff 91 a1 6a a6 6d656d6f7279 c0", "malformed message");
        yield return Case("Welcome.HeartbeatIntervalMs 2^63", "92 02 92 a1 64 cf 8000000000000000", "malformed message");
        yield return Case("Credit.Count uint64 max", "92 06 91 cf ffffffffffffffff", "malformed message");
        yield return Case("Credit.Count int64 min", "92 06 91 d3 8000000000000000", "malformed message");
        yield return Case("Dispatch.MaxAttempt 0xffffffff", "92 04 99 a1 6a a1 6e 80 00 00 c2 ce ffffffff 00 00", "malformed message");
        yield return Case("Dispatch.RunAtUnixMs above long.MaxValue", "92 04 99 a1 6a a1 6e 80 cf ffffffffffffffff 00 c2 00 00 00", "malformed message");
        yield return Case("Result.Outcome 0xffffffff", "92 05 96 a1 6a ce ffffffff 80 c0 c3 01", "malformed message");
        yield return Case("Result.Attempt 0xffffffff", "92 05 96 a1 6a 00 80 c0 c3 ce ffffffff", "malformed message");
        yield return Case("Publish.Index 0xffffffff", "92 0b 98 a1 6a ce ffffffff 00 a1 6e 80 00 90 c2", "malformed message");
        yield return Case("type code 0xffffffff", "92 ce ffffffff 90", "malformed message");
        yield return Case("type code uint64", "92 cf 0000000100000000 90", "malformed message");
        yield return Case("Credit.Count a float", "92 06 91 cb 3ff8000000000000", "malformed message");
        yield return Case("Greeting.Nonce of one byte", "92 00 94 01 a1 64 c4 01 6e c3", "Greeting.Nonce has 1 bytes instead of 16");
        yield return Case("timestamp ext of the wrong length", "92 04 99 a1 6a a1 6e 81 a1 74 d5 ff 0000 00 00 c2 00 00 00", "malformed message");
        yield return Case("str8 claiming more bytes than the frame", "92 0a 91 d9 ff 61", "malformed message");
        yield return Case("Credit.Count a nil", "92 06 91 c0", "malformed message");
        yield return Case("never-used code 0xc1 as a field", "92 06 91 c1", "malformed message");
        yield return Case("ResultAckRange.First above long.MaxValue", "92 0e 92 cf ffffffffffffffff 01", "malformed message");
        yield return Case("ResultAckRange.Count 0xffffffff", "92 0e 92 01 ce ffffffff", "malformed message");
        yield return Case("ResultAckRange.First 0", "92 0e 92 00 01", "ResultAckRange needs First and Count of at least 1");
        yield return Case("ResultAckRange.Count 0", "92 0e 92 01 00", "ResultAckRange needs First and Count of at least 1");
        yield return Case("ResultAckRange.Count negative", "92 0e 92 01 ff", "ResultAckRange needs First and Count of at least 1");
        yield return Case("ResultAckRange without Count", "92 0e 91 01", "type 14 needs at least 2 fields");
        yield return Case("ResultAckRange.Count a nil", "92 0e 92 01 c0", "malformed message");
    }

    [TestCaseSource(nameof(OverflowingFields))]
    public void A_field_out_of_range_or_of_the_wrong_type_is_a_protocol_violation(byte[] body, string fragment)
    {
        var error = Assert.Throws<InvalidDataException>(() => Codec.Decode(new ReadOnlySequence<byte>(body)));

        Assert.That(error!.Message, Does.Contain(fragment));
    }

    [Test]
    public void A_greeting_with_an_overflowing_version_names_the_cause()
    {
        var frame = Bytes.Frame(Bytes.Hex("92 00 94 ce ffffffff a1 64 c4 10 000102030405060708090a0b0c0d0e0f c3"));
        var buffer = new ReadOnlySequence<byte>(frame);

        var error = Assert.Throws<InvalidDataException>(() => Codec.TryReadFrame(ref buffer, out _));

        Assert.That(error!.Message, Does.Contain("Overflow"));
    }

    [Test]
    public void Invalid_utf8_in_a_string_decodes_or_is_a_violation_and_nothing_else()
    {
        // 0xff never appears in UTF-8; 0xc3 0x28 is a broken two-byte sequence.
        foreach (var body in new[] { Bytes.Hex("92 09 91 a2 ff fe"), Bytes.Hex("92 07 91 a2 c3 28"), Bytes.Hex("92 04 99 a1 6a a2 c3 28 81 a2 ff fe 01 00 00 c2 00 00 00") })
        {
            AssertDecodesOrIsViolation(body, "invalid UTF-8");
        }
    }

    /// <summary>
    /// Every golden frame with every byte of its body set to every value, with every truncation, and
    /// with a uint32 0xffffffff spliced in at every position: about 150,000 bodies, each one must
    /// decode or be refused with <see cref="InvalidDataException"/>.
    /// </summary>
    [Test]
    public void Every_single_byte_mutation_truncation_and_overflow_splice_of_the_golden_frames_decodes_or_is_a_violation()
    {
        byte[] overflow = [0xce, 0xff, 0xff, 0xff, 0xff];
        var bodies = 0;
        var refused = 0;
        foreach (var (name, message) in SampleMessages.All())
        {
            var body = Codec.EncodeFrame(message)[MessageCodec.HeaderBytes..];
            for (var at = 0; at < body.Length; at++)
            {
                var mutated = (byte[])body.Clone();
                for (var value = 0; value < 256; value++)
                {
                    mutated[at] = (byte)value;
                    refused += AssertDecodesOrIsViolation(mutated, $"{name}: byte {at} = 0x{value:x2}");
                    bodies++;
                }
                refused += AssertDecodesOrIsViolation(body[..at], $"{name}: truncated to {at} bytes");
                byte[] spliced = [.. body[..at], .. overflow, .. body[(at + 1)..]];
                refused += AssertDecodesOrIsViolation(spliced, $"{name}: 0xffffffff at byte {at}");
                bodies += 2;
            }
        }
        TestContext.Out.WriteLine($"{bodies} mutated bodies decoded, {refused} refused as protocol violations");
        // About a fifth: most bytes of the samples sit inside strings (the cron Dispatch is mostly text), whose mutations still decode.
        Assert.That(refused, Is.GreaterThan(bodies / 5), "the mutations do reach the error paths");
    }

    private static int AssertDecodesOrIsViolation(byte[] body, string what)
    {
        try
        {
            Codec.Decode(new ReadOnlySequence<byte>(body));
            return 0;
        }
        catch (InvalidDataException)
        {
            return 1;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} escaped the codec: {e.Message}");
            return 0;
        }
    }
}

/// <summary>A writer never sends a frame its peer would refuse for its size (protocol.md section 8).</summary>
public class OversizedFrameTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly MessageCodec Small = new(new ProtocolLimits { MaxFrameBytes = 200 });

    private static Result Big() => new("job-1", JobOutcome.Succeeded, new JobArgs { ["blob"] = new byte[300] }, null, true, 1);

    [Test]
    public void A_frame_over_the_limit_is_refused_before_any_byte_is_written()
    {
        var output = new ArrayBufferWriter<byte>();

        var error = Assert.Throws<InvalidDataException>(() => Small.WriteFrame(output, Big(), new ArrayBufferWriter<byte>()));

        Assert.That(error!.Message, Does.Contain("over the frame limit of 200 bytes"));
        Assert.That(output.WrittenCount, Is.Zero);
    }

    [Test]
    public async Task The_connection_hands_an_oversized_message_to_Unsendable_and_keeps_sending()
    {
        var pipe = new DuplexPipe();
        var refused = new TaskCompletionSource<(IReactorMessage, Exception)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = new FramedConnection(pipe, Small) { Unsendable = (m, e) => refused.TrySetResult((m, e)) };
        connection.Start();

        connection.Send(Big());
        connection.Send(new Credit(3));

        var (message, error) = await refused.Task.WaitAsync(Patience);
        Assert.That(message, Is.TypeOf<Result>());
        Assert.That(error.Message, Does.Contain("bytes, over the frame limit"));
        var read = await pipe.ToPeer.ReadAtLeastAsync(8).AsTask().WaitAsync(Patience);
        var buffer = read.Buffer;
        Assert.That(Small.TryReadFrame(ref buffer, out var first), Is.True);
        Assert.That(first, Is.EqualTo(new Credit(3)), "the oversized frame never reached the wire; the next one did");
        pipe.ToPeer.AdvanceTo(buffer.Start);
    }
}
