using MessagePack;
using NUnit.Framework;
using Reactor.Distributor.Durability;

namespace Reactor.Tests.Unit.Distributor;

/// <summary>Journal entries outlive the build that wrote them: older entries must still read.</summary>
[TestFixture]
public sealed class JournalEntryTests
{
    private static readonly MessagePackSerializerOptions Untrusted =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    [Test]
    public void A_job_s_own_MaxDispatches_survives_the_journal()
    {
        var entry = new JournalEntry([1, 2, 3], "n1", null, 42) { MaxDispatches = 5 };

        var read = MessagePackSerializer.Deserialize<JournalEntry>(MessagePackSerializer.Serialize(entry, Untrusted), Untrusted);

        Assert.That(read.MaxDispatches, Is.EqualTo(5));
        Assert.That(read.Node, Is.EqualTo("n1"));
        Assert.That(read.DeadlineUnixMs, Is.EqualTo(42));
    }

    [Test]
    public void A_batch_job_s_batch_id_survives_the_journal_and_an_older_entry_has_none()
    {
        var entry = new JournalEntry([1], null, null, 5) { BatchId = "b1" };
        var old = MessagePackSerializer.Serialize(new object?[] { new byte[] { 9 }, null, null, 7L, 0, null, null }, Untrusted);

        var read = MessagePackSerializer.Deserialize<JournalEntry>(MessagePackSerializer.Serialize(entry, Untrusted), Untrusted);

        Assert.That(read.BatchId, Is.EqualTo("b1"));
        Assert.That(MessagePackSerializer.Deserialize<JournalEntry>(old, Untrusted).BatchId, Is.Null);
    }

    [Test]
    public void An_entry_written_before_MaxDispatches_existed_reads_with_the_default()
    {
        // The four-field array earlier builds wrote.
        var old = MessagePackSerializer.Serialize(new object?[] { new byte[] { 9 }, null, "n2", 7L }, Untrusted);

        var read = MessagePackSerializer.Deserialize<JournalEntry>(old, Untrusted);

        Assert.That(read.MaxDispatches, Is.Zero);
        Assert.That(read.NotNode, Is.EqualTo("n2"));
        Assert.That(read.DispatchFrame, Is.EqualTo(new byte[] { 9 }));
    }

    [Test]
    public void A_stored_result_keeps_its_reason_and_an_older_one_reads_as_unspecified()
    {
        var stored = new StoredResult("j", "job", (int)JobOutcome.Cancelled, [0x80], "cancelled by the job: x", 7)
        {
            Reason = (int)JobOutcomeReason.CancelledByJob,
        };
        var old = MessagePackSerializer.Serialize(new object?[] { "k", "job", 1, new byte[] { 0x80 }, "X: boom", 8L }, Untrusted);

        var read = MessagePackSerializer.Deserialize<StoredResult>(MessagePackSerializer.Serialize(stored, Untrusted), Untrusted);
        var readOld = MessagePackSerializer.Deserialize<StoredResult>(old, Untrusted);

        Assert.That((JobOutcomeReason)read.Reason, Is.EqualTo(JobOutcomeReason.CancelledByJob));
        Assert.That((JobOutcomeReason)readOld.Reason, Is.EqualTo(JobOutcomeReason.Unspecified));
        Assert.That(readOld.Error, Is.EqualTo("X: boom"));
    }

    [Test]
    public void Scheduling_policies_survive_the_journal_and_older_entries_read_as_the_defaults()
    {
        var entry = new JournalEntry([1], null, null, 5)
        {
            UniqueKey = "k",
            Scheduling = new JournalScheduling { Priority = (int)JobPriority.Low, UniqueUntil = (int)UniqueUntil.Start },
        };
        // The six-field array written before key 6 existed.
        var old = MessagePackSerializer.Serialize(new object?[] { new byte[] { 9 }, null, null, 7L, 0, "k" }, Untrusted);

        var read = MessagePackSerializer.Deserialize<JournalEntry>(MessagePackSerializer.Serialize(entry, Untrusted), Untrusted);
        var readOld = MessagePackSerializer.Deserialize<JournalEntry>(old, Untrusted);

        Assert.That(read.Scheduling, Is.EqualTo(entry.Scheduling));
        Assert.That(read.UniqueKey, Is.EqualTo("k"));
        Assert.That(readOld.Scheduling, Is.Null);
        Assert.That(readOld.UniqueKey, Is.EqualTo("k"));
    }
}
