using System.Buffers;
using MessagePack;
using NUnit.Framework;
using Reactor.Protocol.Diagnostics;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>
/// The optional trace context trailing Dispatch (keys 9 and 10): absent, it leaves the nine-field frame every
/// older peer writes; present, it round-trips; garbage in it is ignored instead of closing the connection.
/// </summary>
public class TraceContextFieldTests
{
    private const string TraceParent = SampleMessages.TraceParent;

    /// <summary>A Dispatch body with the nine known fields followed by whatever <paramref name="trailing"/> writes.</summary>
    private static ReadOnlySequence<byte> DispatchWith(int trailingCount, Bytes.BodyWriter trailing) => new(Bytes.Body((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(2);
        w.Write(4);
        w.WriteArrayHeader(9 + trailingCount);
        w.Write("job-1");
        w.Write("report");
        w.WriteMapHeader(1);
        w.Write("n");
        w.Write(5);
        w.Write(0);
        w.Write(0);
        w.Write(false);
        w.Write(0);
        w.Write(0);
        w.Write(0);
        trailing(ref w);
    }));

    [Test]
    public void Dispatch_without_a_trace_context_is_written_with_nine_fields_as_before()
    {
        var frame = new MessageCodec().EncodeFrame(new Dispatch("j", "n", [], 0, 0, false, 0, 0, 0));

        Assert.That(frame[6], Is.EqualTo(0x99), "fixarray of 9 fields");
    }

    [Test]
    public void Traceparent_without_tracestate_adds_one_field_and_round_trips()
    {
        var codec = new MessageCodec();
        var frame = codec.EncodeFrame(new Dispatch("j", "n", [], 0, 0, false, 0, 0, 0) { TraceParent = TraceParent });
        var buffer = new ReadOnlySequence<byte>(frame);

        codec.TryReadFrame(ref buffer, out var decoded);

        Assert.That(frame[6], Is.EqualTo(0x9a), "fixarray of 10 fields");
        Assert.That(((Dispatch)decoded).TraceParent, Is.EqualTo(TraceParent));
        Assert.That(((Dispatch)decoded).TraceState, Is.Null);
    }

    [Test]
    public void Tracestate_without_traceparent_is_not_sent()
    {
        var frame = new MessageCodec().EncodeFrame(new Dispatch("j", "n", [], 0, 0, false, 0, 0, 0) { TraceState = "a=b" });

        Assert.That(frame[6], Is.EqualTo(0x99));
    }

    /// <summary>What trails the nine fields, by case name: (how many fields, how to write them).</summary>
    private static readonly Dictionary<string, (int Count, Bytes.BodyWriter Write)> Garbage = new()
    {
        ["an integer"] = (1, (ref MessagePackWriter w) => w.Write(42)),
        ["an array"] = (1, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write("00");
            w.WriteNil();
        }),
        ["bin"] = (1, (ref MessagePackWriter w) => w.Write(new byte[] { 1, 2, 3 })),
        ["an oversized str"] = (1, (ref MessagePackWriter w) => w.Write(TraceParent + new string('x', ReactorTracing.MaxTraceContextBytes))),
        ["tracestate without traceparent"] = (2, (ref MessagePackWriter w) =>
        {
            w.WriteNil();
            w.Write("rojo=1");
        }),
    };

    private static IEnumerable<string> GarbageCases() => Garbage.Keys;

    [TestCaseSource(nameof(GarbageCases))]
    public void Garbage_in_the_trace_context_is_ignored_and_the_dispatch_decodes(string garbage)
    {
        var (count, trailing) = Garbage[garbage];

        var dispatch = (Dispatch)new MessageCodec().Decode(DispatchWith(count, trailing));

        Assert.That(dispatch.JobId, Is.EqualTo("job-1"));
        Assert.That(dispatch.Args.Get<int>("n"), Is.EqualTo(5));
        Assert.That(dispatch.TraceParent, Is.Null);
        Assert.That(dispatch.TraceState, Is.Null);
    }

    [Test]
    public void Oversized_tracestate_is_dropped_and_the_traceparent_kept()
    {
        var body = DispatchWith(2, (ref MessagePackWriter w) =>
        {
            w.Write(TraceParent);
            w.Write(new string('s', ReactorTracing.MaxTraceContextBytes + 1));
        });

        var dispatch = (Dispatch)new MessageCodec().Decode(body);

        Assert.That(dispatch.TraceParent, Is.EqualTo(TraceParent));
        Assert.That(dispatch.TraceState, Is.Null);
    }

    [Test]
    public void Fields_after_the_trace_context_are_skipped_for_newer_peers()
    {
        var body = DispatchWith(3, (ref MessagePackWriter w) =>
        {
            w.Write(TraceParent);
            w.Write("a=b");
            w.Write("a field from the future");
        });

        var dispatch = (Dispatch)new MessageCodec().Decode(body);

        Assert.That(dispatch.TraceParent, Is.EqualTo(TraceParent));
        Assert.That(dispatch.TraceState, Is.EqualTo("a=b"));
    }

    [Test]
    public void Publish_without_a_trace_context_keeps_eight_fields_and_with_one_round_trips()
    {
        var codec = new MessageCodec();
        var plain = new Publish("job-1", 0, PublishKind.Next, "child", new JobArgs { ["n"] = 1 }, 0, [], false);
        var traced = plain with { TraceParent = TraceParent, TraceState = "a=b" };
        var buffer = new ReadOnlySequence<byte>(codec.EncodeFrame(traced));

        codec.TryReadFrame(ref buffer, out var decoded);

        Assert.That(codec.EncodeFrame(plain)[6], Is.EqualTo(0x98), "fixarray of 8 fields");
        Assert.That(codec.EncodeFrame(traced)[6], Is.EqualTo(0x9a), "fixarray of 10 fields");
        Assert.That(Structural.Diff(traced, decoded), Is.Null);
        Assert.That(((Publish)decoded).TraceParent, Is.EqualTo(TraceParent));
        Assert.That(((Publish)decoded).TraceState, Is.EqualTo("a=b"));
    }
}
