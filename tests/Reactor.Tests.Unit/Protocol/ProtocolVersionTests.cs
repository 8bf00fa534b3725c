using System.Buffers;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>Version negotiation, the version 1 form of a result, and the explicit outcome's decoding rules (protocol.md sections 5, 7.1, 8).</summary>
public class ProtocolVersionTests
{
    [TestCase(1, 2, 2, TestName = "a version 1-2 distributor gets version 2")]
    [TestCase(1, 3, 3, TestName = "a version 1-3 distributor gets version 3")]
    [TestCase(1, 0, 1, TestName = "a version 1 distributor (no MaxProtocolVersion) gets version 1")]
    [TestCase(1, 1, 1, TestName = "a distributor that says 1 to 1 gets version 1")]
    [TestCase(2, 0, 2, TestName = "a version 2-only distributor gets version 2")]
    [TestCase(3, 0, 3, TestName = "a version 3-only distributor gets version 3")]
    [TestCase(1, 3, 3, TestName = "a version 1-3 distributor gets version 3")]
    [TestCase(2, 3, 3, TestName = "a version 2-3 distributor gets version 3")]
    [TestCase(1, 9, 3, TestName = "a newer distributor that still speaks 3 gets version 3")]
    [TestCase(4, 0, null, TestName = "a version 4-only distributor shares no version")]
    [TestCase(4, 6, null, TestName = "a version 4-6 distributor shares no version")]
    public void The_node_picks_the_newest_version_both_speak(int lowest, int highest, int? expected)
    {
        Assert.That(ProtocolLimits.Negotiate(lowest, highest), Is.EqualTo(expected));
    }

    [Test]
    public void The_distributor_accepts_every_version_it_speaks_and_no_other()
    {
        Assert.That(Enumerable.Range(-1, 7).Where(ProtocolLimits.Speaks), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void A_version_1_greeting_of_four_fields_reads_as_no_max_version()
    {
        var frame = Bytes.Hex("0000001e92009401a6646973742d31c410000102030405060708090a0b0c0d0e0fc3");
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.That(new MessageCodec().TryReadFrame(ref buffer, out var message), Is.True);
        var greeting = (Greeting)message;
        Assert.That(greeting.MaxProtocolVersion, Is.Zero);
        Assert.That(ProtocolLimits.Negotiate(greeting.ProtocolVersion, greeting.MaxProtocolVersion), Is.EqualTo(1));
    }

    [Test]
    public void On_version_1_a_self_cancel_has_no_text_and_no_reason_and_the_original_is_untouched()
    {
        var args = new JobArgs { ["n"] = 1, ["error"] = "cancelled by the job: done" };
        var v2 = new Result("j", JobOutcome.Cancelled, args, "cancelled by the job: done", true, 1) { Reason = JobOutcomeReason.CancelledByJob };

        var v1 = v2.ForVersion(1);

        Assert.That(v1.Outcome, Is.EqualTo(JobOutcome.Cancelled));
        Assert.That(v1.Error, Is.Null);
        Assert.That(v1.Args.ContainsKey("error"), Is.False);
        Assert.That(v1.Args.Get<int>("n"), Is.EqualTo(1));
        Assert.That(v1.Reason, Is.EqualTo(JobOutcomeReason.Unspecified));
        Assert.That(v2.Args.ContainsKey("error"), Is.True, "the kept result (re-sent after a reconnect) is not changed");
        Assert.That(v2.ForVersion(2), Is.SameAs(v2));
    }

    [Test]
    public void On_version_1_every_other_result_keeps_its_text_and_only_loses_its_reason()
    {
        var failed = new Result("j", JobOutcome.Failed, new JobArgs { ["error"] = "X: boom" }, "X: boom", true, 3) { Reason = JobOutcomeReason.Threw };
        var cancelled = new Result("k", JobOutcome.Cancelled, new JobArgs(), "cancelled by the application", true, 1) { Reason = JobOutcomeReason.CancelledByApplication };

        Assert.That(failed.ForVersion(1), Is.EqualTo(failed with { Reason = JobOutcomeReason.Unspecified }));
        Assert.That(cancelled.ForVersion(1).Error, Is.EqualTo("cancelled by the application"));
        Assert.That(new MessageCodec().EncodeFrame(failed.ForVersion(1))[6], Is.EqualTo(0x96), "six fields, as version 1 writes");
    }

    private static IEnumerable<TestCaseData> Reasons()
    {
        yield return new TestCaseData(0, 1, JobOutcomeReason.Completed).SetName("a fitting reason is kept");
        yield return new TestCaseData(0, 3, JobOutcomeReason.Unspecified).SetName("a reason of another outcome reads as unspecified");
        yield return new TestCaseData(1, 99, JobOutcomeReason.Unspecified).SetName("an unknown reason reads as unspecified");
        yield return new TestCaseData(1, 12, JobOutcomeReason.Unspecified).SetName("a distributor-only reason from a node reads as unspecified");
        yield return new TestCaseData(2, 8, JobOutcomeReason.CancelledByJob).SetName("a cancel reason of a cancellation is kept");
    }

    [TestCaseSource(nameof(Reasons))]
    public void A_result_reason_only_details_its_outcome(int outcome, int reason, JobOutcomeReason expected)
    {
        var frame = Bytes.Frame((ref MessagePack.MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write(MessageType.Result);
            w.WriteArrayHeader(7);
            w.Write("j");
            w.Write(outcome);
            w.WriteMapHeader(0);
            w.WriteNil();
            w.Write(true);
            w.Write(1);
            w.Write(reason);
        });
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.That(new MessageCodec().TryReadFrame(ref buffer, out var message), Is.True);
        Assert.That(((Result)message).Reason, Is.EqualTo(expected));
        Assert.That(((Result)message).Outcome, Is.EqualTo((JobOutcome)outcome));
    }

    [TestCase(4, TestName = "a Result without Final and Attempt is malformed")]
    [TestCase(5, TestName = "a Result without Attempt is malformed")]
    public void A_result_missing_a_required_trailing_field_is_a_violation_not_a_zero(int fields)
    {
        var frame = Bytes.Frame((ref MessagePack.MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write(MessageType.Result);
            w.WriteArrayHeader(fields);
            w.Write("j");
            w.Write(0);
            w.WriteMapHeader(0);
            w.WriteNil();
            if (fields > 4)
            {
                w.Write(true);
            }
        });
        var buffer = new ReadOnlySequence<byte>(frame);

        var error = Assert.Throws<InvalidDataException>(() => new MessageCodec().TryReadFrame(ref buffer, out _));
        Assert.That(error!.Message, Does.Contain($"type 5 needs at least 6 fields, found {fields}"));
    }
}
