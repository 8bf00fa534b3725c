using System.Buffers;
using NUnit.Framework;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

public class MessageRoundTripTests
{
    private static IEnumerable<TestCaseData> Samples() =>
        SampleMessages.All().Select(sample => new TestCaseData(sample.Name).SetArgDisplayNames(sample.Name));

    [TestCaseSource(nameof(Samples))]
    public void Message_decoded_from_its_own_frame_equals_the_original(string name)
    {
        var codec = new MessageCodec();
        var original = SampleMessages.Get(name);
        var buffer = new ReadOnlySequence<byte>(codec.EncodeFrame(original));

        Assert.That(codec.TryReadFrame(ref buffer, out var decoded), Is.True);
        Assert.That(Structural.Diff(original, decoded), Is.Null);
        Assert.That(buffer.Length, Is.Zero, "the whole frame is consumed");
    }

    [TestCaseSource(nameof(Samples))]
    public void Frame_split_into_one_byte_segments_decodes_the_same(string name)
    {
        var codec = new MessageCodec();
        var original = SampleMessages.Get(name);
        var buffer = Bytes.OneByteSegments(codec.EncodeFrame(original));

        Assert.That(codec.TryReadFrame(ref buffer, out var decoded), Is.True);
        Assert.That(Structural.Diff(original, decoded), Is.Null);
    }

    [Test]
    public void Every_message_type_has_a_sample()
    {
        var sampled = SampleMessages.All().Select(sample => sample.Message.GetType()).ToHashSet();
        var declared = typeof(IReactorMessage).Assembly.GetTypes()
            .Where(type => type.IsClass && typeof(IReactorMessage).IsAssignableFrom(type));

        Assert.That(sampled, Is.EquivalentTo(declared));
    }

    [Test]
    public void Optional_fields_left_null_round_trip_as_null()
    {
        var codec = new MessageCodec();
        var hello = new Hello(1, "n", 1, [], "redis", AuthProof: null);
        var buffer = new ReadOnlySequence<byte>(codec.EncodeFrame(hello));

        codec.TryReadFrame(ref buffer, out var decoded);

        Assert.That(Structural.Diff(hello, decoded), Is.Null);
    }

    [Test]
    public void Incomplete_frame_is_left_in_the_buffer_until_the_rest_arrives()
    {
        var codec = new MessageCodec();
        var frame = codec.EncodeFrame(new Credit(3));

        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.That(codec.TryReadFrame(ref buffer, out _), Is.False, $"{length} of {frame.Length} bytes");
            Assert.That(buffer.Length, Is.EqualTo(length), "nothing is consumed");
        }
    }

    [Test]
    public void Two_frames_in_one_buffer_are_read_one_after_the_other()
    {
        var codec = new MessageCodec();
        var buffer = new ReadOnlySequence<byte>([.. codec.EncodeFrame(new Credit(1)), .. codec.EncodeFrame(new Cancel("j"))]);

        Assert.That(codec.TryReadFrame(ref buffer, out var first), Is.True);
        Assert.That(codec.TryReadFrame(ref buffer, out var second), Is.True);
        Assert.That(codec.TryReadFrame(ref buffer, out _), Is.False);
        Assert.That(first, Is.EqualTo(new Credit(1)));
        Assert.That(second, Is.EqualTo(new Cancel("j")));
    }

    [Test]
    public void Extra_trailing_fields_from_a_newer_peer_are_ignored()
    {
        var codec = new MessageCodec();
        // [6, [2, "added in a later version"]]: a Credit with one field this build does not know.
        var body = Bytes.Hex("92 06 92 02 a1 78");

        Assert.That(codec.Decode(new ReadOnlySequence<byte>(body)), Is.EqualTo(new Credit(2)));
    }
}
