using System.Buffers;
using MessagePack;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>
/// Many jobs per frame (protocol version 3, protocol.md sections 5 and 8): how a connection that may batch
/// frames queued Dispatch messages, and how a receiver refuses a malformed DispatchBatch.
/// </summary>
public class DispatchBatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly MessageCodec Codec = new();

    private static Dispatch Job(int i, JobArgs? args = null) =>
        new($"job-{i}", "report", args ?? new JobArgs { ["i"] = i }, 0, 0, false, 0, 0, 0);

    /// <summary>Queues <paramref name="messages"/> before the write loop starts (so they are all waiting at once), then reads every frame written.</summary>
    private static async Task<List<IReactorMessage>> FramesWrittenAsync(bool batch, IEnumerable<IReactorMessage> messages, MessageCodec? codec = null)
    {
        codec ??= Codec;
        var pipe = new DuplexPipe();
        var frames = new List<IReactorMessage>();
        await using (var connection = new FramedConnection(pipe, codec) { BatchDispatches = batch })
        {
            var expected = 0;
            foreach (var message in messages)
            {
                connection.Send(message);
                expected++;
            }
            connection.Start();
            var jobs = 0;
            while (jobs < expected)
            {
                var read = await pipe.ToPeer.ReadAsync().AsTask().WaitAsync(Patience);
                var buffer = read.Buffer;
                while (codec.TryReadFrame(ref buffer, out var frame))
                {
                    frames.Add(frame);
                    jobs += frame is DispatchBatch b ? b.Jobs.Count : 1;
                }
                pipe.ToPeer.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        return frames;
    }

    private static List<string> JobIds(IEnumerable<IReactorMessage> frames) =>
        frames.SelectMany(f => f switch
        {
            DispatchBatch b => b.Jobs.Select(j => j.JobId),
            Dispatch d => [d.JobId],
            _ => [f.GetType().Name],
        }).ToList();

    [Test]
    public async Task Dispatches_queued_together_leave_as_batches_of_at_most_the_bound_in_order()
    {
        var jobs = Enumerable.Range(0, 600).Select(i => Job(i)).ToList();

        var frames = await FramesWrittenAsync(batch: true, jobs);

        Assert.That(frames.Select(f => f is DispatchBatch b ? b.Jobs.Count : -1),
            Is.EqualTo(new[] { FramedConnection.MaxBatchedDispatches, FramedConnection.MaxBatchedDispatches, 600 - 2 * FramedConnection.MaxBatchedDispatches }));
        Assert.That(JobIds(frames), Is.EqualTo(jobs.Select(j => j.JobId)));
        Assert.That(Structural.Diff(jobs[599], ((DispatchBatch)frames[2]).Jobs[^1]), Is.Null, "each entry is the whole Dispatch");
    }

    [Test]
    public async Task Without_batching_every_job_is_its_own_Dispatch_frame()
    {
        var frames = await FramesWrittenAsync(batch: false, Enumerable.Range(0, 20).Select(i => Job(i)));

        Assert.That(frames, Has.Count.EqualTo(20).And.All.TypeOf<Dispatch>());
    }

    [Test]
    public async Task Other_messages_are_never_merged_and_keep_their_place()
    {
        IReactorMessage[] queued = [Job(0), Job(1), new Cancel("job-0"), Job(2), new Credit(1), Job(3), Job(4), Job(5)];

        var frames = await FramesWrittenAsync(batch: true, queued);

        Assert.That(frames.Select(f => f.GetType().Name), Is.EqualTo(new[] { "DispatchBatch", "Cancel", "Dispatch", "Credit", "DispatchBatch" }));
        Assert.That(JobIds(frames), Is.EqualTo(new[] { "job-0", "job-1", "Cancel", "job-2", "Credit", "job-3", "job-4", "job-5" }));
    }

    [Test]
    public async Task A_batch_stays_within_half_the_frame_limit_and_a_job_that_cannot_be_sent_does_not_hold_back_the_others()
    {
        var small = new MessageCodec(new ProtocolLimits { MaxFrameBytes = 16 * 1024 });
        var sent = new List<IReactorMessage>();
        for (var i = 0; i < 10; i++)
        {
            var args = new JobArgs { ["blob"] = new byte[1500] };
            sent.Add(Job(i, args) with { EncodedArgs = small.EncodeArgs(args) });
        }

        var frames = await FramesWrittenAsync(batch: true, sent, small);

        Assert.That(frames.Count, Is.GreaterThan(1), "about 8 KiB of jobs per frame");
        Assert.That(frames.Select(f => small.EncodeFrame(f).Length), Has.All.LessThan(16 * 1024 / 2 + 1024));
        Assert.That(JobIds(frames), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"job-{i}")));
    }

    [Test]
    public void A_batch_decodes_to_its_jobs_in_order_and_reencodes_to_the_same_bytes()
    {
        var batch = new DispatchBatch(Enumerable.Range(0, 3).Select(i => Job(i)).ToArray());
        var frame = Codec.EncodeFrame(batch);
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.That(Codec.TryReadFrame(ref buffer, out var decoded), Is.True);
        Assert.That(Structural.Diff(batch, decoded), Is.Null);
        Assert.That(Codec.EncodeFrame(decoded), Is.EqualTo(frame));
    }

    private static IEnumerable<TestCaseData> Malformed()
    {
        TestCaseData Case(string name, Bytes.BodyWriter jobs, string fragment) =>
            new TestCaseData(Bytes.Body((ref MessagePackWriter w) =>
            {
                w.WriteArrayHeader(2);
                w.Write(MessageType.DispatchBatch);
                jobs(ref w);
            }), fragment).SetArgDisplayNames(name);

        static void Full(ref MessagePackWriter w, string? id)
        {
            w.WriteArrayHeader(9);
            w.Write(id);
            w.Write("report");
            w.WriteMapHeader(0);
            w.Write(0);
            w.Write(0);
            w.Write(false);
            w.Write(0);
            w.Write(0);
            w.Write(0);
        }

        yield return Case("no fields", (ref MessagePackWriter w) => w.WriteArrayHeader(0), "type 13 needs at least 1 fields, found 0");
        yield return Case("an empty list", (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(0); }, "DispatchBatch.Jobs is empty");
        yield return Case("nil instead of the list", (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteNil(); }, "DispatchBatch.Jobs is missing or nil");
        yield return Case("a list that is a map", (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteMapHeader(0); }, "malformed message");
        yield return Case("an entry of 8 fields", (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(2);
            Full(ref w, "a");
            w.WriteArrayHeader(8);
            w.Write("b");
            w.Write("report");
            w.WriteMapHeader(0);
            for (var i = 0; i < 5; i++)
            {
                w.Write(0);
            }
        }, "DispatchBatch.Jobs[1] is not a Dispatch of at least 9 fields");
        yield return Case("a nil entry", (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(1); w.WriteNil(); }, "DispatchBatch.Jobs[0] is not a Dispatch");
        yield return Case("an entry with a nil job id", (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(2);
            Full(ref w, "a");
            Full(ref w, null);
        }, "DispatchBatch.Jobs[1].JobId is missing or nil");
        yield return Case("a count larger than the frame", (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(3); Full(ref w, "a"); }, "malformed message");
    }

    [TestCaseSource(nameof(Malformed))]
    public void A_malformed_batch_is_a_protocol_violation_that_says_what_is_wrong(byte[] body, string fragment)
    {
        var error = Assert.Throws<InvalidDataException>(() => Codec.Decode(new ReadOnlySequence<byte>(body)));

        Assert.That(error!.Message, Does.Contain(fragment));
    }

    [Test]
    public void A_batch_longer_than_the_collection_limit_is_refused_before_its_entries_are_read()
    {
        var codec = new MessageCodec(new ProtocolLimits { MaxCollectionLength = 2 });
        var body = codec.EncodeFrame(new DispatchBatch([Job(0), Job(1), Job(2)]))[MessageCodec.HeaderBytes..];

        var error = Assert.Throws<InvalidDataException>(() => codec.Decode(new ReadOnlySequence<byte>(body)));

        Assert.That(error!.Message, Does.Contain("a collection of 3 entries exceeds the limit of 2"));
    }

    [Test]
    public void Version_3_is_the_first_that_batches_and_this_build_speaks_it()
    {
        Assert.That(ProtocolLimits.DispatchBatchVersion, Is.EqualTo(3));
        Assert.That(ProtocolLimits.Speaks(ProtocolLimits.DispatchBatchVersion), Is.True);
        Assert.That(ProtocolLimits.Negotiate(1, 2), Is.LessThan(ProtocolLimits.DispatchBatchVersion), "a version 2 distributor never gets a batching node");
    }
}
