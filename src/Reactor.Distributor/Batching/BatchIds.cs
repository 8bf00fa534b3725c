using System.Collections;

namespace Reactor.Distributor.Batching;

/// <summary>
/// The ids <c>EnqueueMany</c> returns, in input order, without a string per job: each chunk of the batch
/// takes consecutive ids (<see cref="JobIds.Reserve"/>), so the list keeps one run per chunk and writes an
/// id only when it is read. A million ids cost a few kilobytes here instead of ~90 MB of strings.
/// </summary>
internal sealed class BatchIds(JobIds ids) : IReadOnlyList<string>
{
    // Runs in input order; Start is the index of a run's first job in the batch.
    private readonly List<(int Start, long First, int Count)> _runs = [];

    public int Count { get; private set; }

    public string this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var lo = 0;
            var hi = _runs.Count - 1;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (_runs[mid].Start <= index)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            var run = _runs[lo];
            return ids.Format(run.First + (index - run.Start));
        }
    }

    /// <summary>Appends a run of <paramref name="count"/> ids numbered from <paramref name="first"/>.</summary>
    public void Add(long first, int count)
    {
        if (count > 0)
        {
            _runs.Add((Count, first, count));
            Count += count;
        }
    }

    public IEnumerator<string> GetEnumerator()
    {
        foreach (var (_, first, count) in _runs)
        {
            for (var i = 0; i < count; i++)
            {
                yield return ids.Format(first + i);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
