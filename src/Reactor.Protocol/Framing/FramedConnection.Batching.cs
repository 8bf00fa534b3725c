using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Framing;

// Many jobs per frame: consecutive queued Dispatch messages leave as one DispatchBatch (protocol version 3).
public sealed partial class FramedConnection
{
    /// <summary>Most jobs in one <see cref="DispatchBatch"/> frame.</summary>
    public const int MaxBatchedDispatches = 256;

    private volatile bool _batchDispatches;

    /// <summary>
    /// When true, the write loop sends <see cref="Dispatch"/> messages that are queued one behind the other
    /// as one <see cref="DispatchBatch"/> frame (up to <see cref="MaxBatchedDispatches"/> jobs, and about half
    /// the frame limit in bytes); a lone Dispatch still goes as a Dispatch frame. Nothing waits to fill a
    /// batch: only what is already queued when the write loop runs is merged, so the order of every
    /// message, and the latency of a single job, stay as they were. Set it only on a connection whose
    /// peer agreed on protocol version <see cref="ProtocolLimits.DispatchBatchVersion"/> or newer.
    /// </summary>
    public bool BatchDispatches
    {
        get => _batchDispatches;
        set => _batchDispatches = value;
    }

    /// <summary>
    /// Takes the Dispatch messages queued right behind <paramref name="first"/> (never another type), within
    /// the batch bounds; <paramref name="first"/> itself when none fits beside it.
    /// </summary>
    private IReactorMessage TakeBatch(Dispatch first, ChannelReader<IReactorMessage> reader)
    {
        var jobs = new List<Dispatch>(16) { first };
        // Args dominate a Dispatch; the rest (id, name, numbers, trace context) stays well under 512 bytes.
        var budget = _codec.Limits.MaxFrameBytes / 2 - Estimate(first);
        while (jobs.Count < MaxBatchedDispatches && reader.TryPeek(out var next) && next is Dispatch dispatch
            && (budget -= Estimate(dispatch)) > 0 && reader.TryRead(out _))
        {
            jobs.Add(dispatch);
        }
        return jobs.Count == 1 ? first : new DispatchBatch(jobs);
    }

    private static int Estimate(Dispatch dispatch) => 512 + (dispatch.EncodedArgs.IsEmpty ? 4096 : dispatch.EncodedArgs.Length);

    /// <summary>
    /// Writes a batch as one frame; if it cannot be encoded whole (a job whose args cannot be sent, a frame
    /// over the limit after all), writes its jobs one frame each instead, so only a bad job is refused
    /// (<see cref="Unsendable"/>) and the others still go. Returns the bytes written.
    /// </summary>
    private long WriteBatch(PipeWriter output, IReactorMessage message, ref ArrayBufferWriter<byte> scratch)
    {
        if (message is not DispatchBatch batch)
        {
            return TryWrite(output, message, scratch) ? scratch.WrittenCount + MessageCodec.HeaderBytes : 0;
        }
        try
        {
            _codec.WriteFrame(output, batch, scratch);
            return scratch.WrittenCount + MessageCodec.HeaderBytes;
        }
        catch (Exception e) when (e is ArgumentException or MessagePack.MessagePackSerializationException or InvalidDataException)
        {
            long written = 0;
            foreach (var job in batch.Jobs)
            {
                scratch = Shrink(scratch);
                if (TryWrite(output, job, scratch))
                {
                    written += scratch.WrittenCount + MessageCodec.HeaderBytes;
                }
            }
            return written;
        }
    }
}
