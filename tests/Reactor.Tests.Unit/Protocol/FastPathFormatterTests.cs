using MessagePack;
using MessagePack.Resolvers;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>
/// The hand-written formatters on the per-job path must produce exactly the bytes the generated
/// formatters produce (the wire format in docs/protocol.md), and read them back.
/// </summary>
public sealed class FastPathFormatterTests
{
    private static readonly MessagePackSerializerOptions Generated = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create([new JobArgsFormatter(ProtocolLimits.Default)], [StandardResolver.Instance]));

    private static IEnumerable<IReactorMessage> Messages()
    {
        var args = new JobArgs { ["a"] = 1, ["text"] = "ünï", ["list"] = new List<object?> { 1L << 40, null } };
        yield return new Dispatch("0123456789abcdef0123456789abcdef", "noop", new JobArgs(), 0, 0, false, 0, 0, 0);
        yield return new Dispatch("id", "report", args, 1_700_000_000_123, 1000, true, 3, 5000, 70_000);
        yield return new Dispatch("id", "neg", args, -1, long.MaxValue, false, int.MaxValue, -5, 0);
    }

    [TestCaseSource(nameof(Messages))]
    public void Dispatch_bytes_are_those_of_the_generated_formatter(IReactorMessage message)
    {
        var codec = new MessageCodec();
        var expected = MessagePackSerializer.Serialize(message, Generated);

        var frame = codec.EncodeFrame(message);

        Assert.That(frame[MessageCodec.HeaderBytes..], Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Messages))]
    public void Dispatch_with_pre_encoded_args_writes_the_same_bytes(IReactorMessage message)
    {
        var codec = new MessageCodec();
        var dispatch = (Dispatch)message;
        var expected = MessagePackSerializer.Serialize(message, Generated);

        var frame = codec.EncodeFrame(dispatch with { EncodedArgs = codec.EncodeArgs(dispatch.Args) });

        Assert.That(frame[MessageCodec.HeaderBytes..], Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Messages))]
    public void Dispatch_reads_back_from_generated_bytes(IReactorMessage message)
    {
        var codec = new MessageCodec();
        var original = (Dispatch)message;

        var decoded = (Dispatch)codec.Decode(new System.Buffers.ReadOnlySequence<byte>(MessagePackSerializer.Serialize(message, Generated)));

        Assert.That(decoded with { Args = original.Args }, Is.EqualTo(original));
        Assert.That(decoded.Args.Count, Is.EqualTo(original.Args.Count));
        Assert.That(codec.EncodeArgs(decoded.Args), Is.EqualTo(codec.EncodeArgs(original.Args)));
    }

    [Test]
    public void Dispatch_with_extra_trailing_fields_from_a_newer_peer_is_read()
    {
        // [4, ["id", "noop", {}, 0, 0, false, 0, 0, 0, "future"]]
        byte[] body = [0x92, 0x04, 0x9a, 0xa2, (byte)'i', (byte)'d', 0xa4, (byte)'n', (byte)'o', (byte)'o', (byte)'p', 0x80,
            0, 0, 0xc2, 0, 0, 0, 0xa6, .. "future"u8];

        var decoded = (Dispatch)new MessageCodec().Decode(new System.Buffers.ReadOnlySequence<byte>(body));

        Assert.That(decoded.JobId, Is.EqualTo("id"));
        Assert.That(decoded.Name, Is.EqualTo("noop"));
    }

    [Test]
    public void Args_that_cannot_be_sent_are_refused_when_encoded() =>
        Assert.That(() => new MessageCodec().EncodeArgs(new JobArgs { ["bad"] = new object() }),
            Throws.ArgumentException.With.Message.Contains("bad"));
}
