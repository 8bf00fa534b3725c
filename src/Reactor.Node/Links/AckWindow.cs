using Reactor.Protocol.Messages;

namespace Reactor.Node.Links;

/// <summary>
/// The final results sent on one version 3 connection and not acknowledged yet, by their running number
/// on it: the first final result sent is number 1, the next 2, and so on, exactly as the distributor counts
/// them on arrival. A <see cref="ResultAckRange"/> names numbers; this maps them back to job ids.
/// Not thread-safe: the link calls it under its lock.
/// </summary>
internal sealed class AckWindow
{
    /// <summary>Most results kept; beyond it the oldest is dropped (never acknowledged, so the node keeps it).</summary>
    public const int MaxEntries = 200_000;

    private Result?[] _entries = new Result?[64];
    private int _head;
    private int _count;
    private long _headNumber = 1;

    /// <summary>Results in the window (acknowledged ones not yet trimmed from the front included).</summary>
    public int Count => _count;

    /// <summary>Numbers the next final result sent on the connection.</summary>
    public void Add(Result result)
    {
        if (_count == MaxEntries)
        {
            _entries[_head] = null;
            _head = (_head + 1) % _entries.Length;
            _count--;
            _headNumber++;
        }
        if (_count == _entries.Length)
        {
            Grow();
        }
        _entries[(_head + _count) % _entries.Length] = result;
        _count++;
    }

    /// <summary>
    /// Takes the results numbered <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1
    /// out of the window and adds their job ids to <paramref name="jobIds"/>. Numbers not in the window (already
    /// acknowledged, dropped, or never sent) are ignored.
    /// </summary>
    public void Acknowledge(long first, int count, List<string> jobIds)
    {
        var from = Math.Max(first, _headNumber);
        var last = count < 1 ? first - 1 : first > long.MaxValue - count ? long.MaxValue : first + count - 1;
        var to = Math.Min(last, _headNumber + _count - 1);
        for (var number = from; number <= to; number++)
        {
            var slot = (int)((_head + (number - _headNumber)) % _entries.Length);
            if (_entries[slot] is { } result)
            {
                jobIds.Add(result.JobId);
                _entries[slot] = null;
            }
        }
        TrimFront();
    }

    /// <summary>
    /// Takes back a result that never reached the wire (it could not be encoded): the results sent after it
    /// move down one number, as the distributor, which never saw it, counts them. False when it is not here.
    /// </summary>
    public bool Remove(Result result)
    {
        for (var i = _count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_entries[(_head + i) % _entries.Length], result))
            {
                for (var j = i; j < _count - 1; j++)
                {
                    _entries[(_head + j) % _entries.Length] = _entries[(_head + j + 1) % _entries.Length];
                }
                _entries[(_head + _count - 1) % _entries.Length] = null;
                _count--;
                TrimFront();
                return true;
            }
        }
        return false;
    }

    /// <summary>Forgets everything: a new connection numbers from 1 again.</summary>
    public void Reset()
    {
        if (_entries.Length > 1024)
        {
            _entries = new Result?[64]; // a burst's window is not kept for the connection's life
        }
        Array.Clear(_entries);
        _head = 0;
        _count = 0;
        _headNumber = 1;
    }

    private void TrimFront()
    {
        // Acknowledged entries at the front leave, so the window starts at the oldest unacknowledged result.
        while (_count > 0 && _entries[_head] is null)
        {
            _head = (_head + 1) % _entries.Length;
            _count--;
            _headNumber++;
        }
    }

    private void Grow()
    {
        var bigger = new Result?[_entries.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            bigger[i] = _entries[(_head + i) % _entries.Length];
        }
        _entries = bigger;
        _head = 0;
    }
}
