using Reactor.Distributor.Feedback;
using Reactor.Protocol.Messages;

namespace Reactor.Distributor.Sessions;

/// <summary>
/// Acknowledges one connection's final results once they are recorded. Every final result gets its running
/// number on the connection as it is read (<see cref="Next"/>). A version 3 node hears about recorded
/// results in runs (<see cref="ResultAckRange"/>): numbers recorded while the read loop handles a batch go
/// out as one range when the batch is done, and numbers recorded later (a journal write completing on
/// another thread) are gathered by one pool work item. A version 1 or 2 node gets a <see cref="ResultAck"/>
/// per job, at once, as before.
/// </summary>
/// <remarks>
/// Only recorded numbers are ever sent: a result whose journal write never completes leaves a gap (the
/// node keeps that result), and the numbers around it are still acknowledged, in separate ranges.
/// </remarks>
internal sealed class ResultAcks : IResultRecorded
{
    private readonly Action<IReactorMessage> _send;
    private readonly bool _ranges;
    private readonly Lock _gate = new();
    private long _received;
    private long _first;
    private int _count;
    private List<ResultAckRange>? _closed;
    private int _inBatch;
    private int _flushQueued;

    /// <param name="send">Queues a message on the connection.</param>
    /// <param name="ranges">True when the connection speaks a version with <see cref="ResultAckRange"/>.</param>
    public ResultAcks(Action<IReactorMessage> send, bool ranges)
    {
        _send = send;
        _ranges = ranges;
    }

    /// <summary>The running number of the final result just read (read loop only).</summary>
    public long Next()
    {
        // Marks the batch before the result can be recorded, so a number recorded during it waits for EndBatch.
        Volatile.Write(ref _inBatch, 1);
        return ++_received;
    }

    /// <inheritdoc />
    public void Recorded(string jobId, long sequence)
    {
        if (!_ranges)
        {
            _send(new ResultAck(jobId));
            return;
        }
        lock (_gate)
        {
            Add(sequence);
        }
        // Inside a batch the read loop sends it when the batch is done. Checked after the number is in:
        // a batch that ended before it was added has cleared the flag, so this schedules the flush instead.
        if (Volatile.Read(ref _inBatch) == 0 && Interlocked.Exchange(ref _flushQueued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static acks => acks.FlushQueued(), this, preferLocal: false);
        }
    }

    /// <summary>The read loop handled a batch of messages: sends what was recorded meanwhile.</summary>
    public void EndBatch()
    {
        if (Volatile.Read(ref _inBatch) == 0)
        {
            return;
        }
        Volatile.Write(ref _inBatch, 0);
        Flush();
    }

    private void FlushQueued()
    {
        Volatile.Write(ref _flushQueued, 0);
        Flush();
    }

    private void Add(long sequence)
    {
        if (_count > 0 && _count < int.MaxValue)
        {
            if (sequence == _first + _count)
            {
                _count++;
                return;
            }
            if (sequence == _first - 1)
            {
                // Journal writes may complete out of order; a run grows at either end.
                _first = sequence;
                _count++;
                return;
            }
        }
        if (_count > 0)
        {
            (_closed ??= []).Add(new ResultAckRange(_first, _count));
        }
        _first = sequence;
        _count = 1;
    }

    private void Flush()
    {
        List<ResultAckRange>? closed;
        ResultAckRange? open = null;
        lock (_gate)
        {
            closed = _closed;
            _closed = null;
            if (_count > 0)
            {
                open = new ResultAckRange(_first, _count);
                _count = 0;
            }
        }
        if (closed is not null)
        {
            foreach (var range in closed)
            {
                _send(range);
            }
        }
        if (open is not null)
        {
            _send(open);
        }
    }
}
