using System.Collections.Concurrent;
using NUnit.Framework;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>Counts what the fault tests promise about: enqueued, completed, duplicate feedbacks, lost.</summary>
internal sealed class DeliveryCount
{
    private readonly ConcurrentDictionary<string, int> _feedbacks = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _enqueued = new(StringComparer.Ordinal);

    public void Enqueued(string id)
    {
        lock (_enqueued)
        {
            _enqueued.Add(id);
        }
    }

    public void Feedback(string id)
    {
        _feedbacks.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (Completed >= Total)
        {
            _all.TrySetResult();
        }
    }

    public int Total
    {
        get
        {
            lock (_enqueued)
            {
                return _enqueued.Count;
            }
        }
    }

    public int Completed => _feedbacks.Count;

    public int Duplicates => _feedbacks.Values.Sum(n => n - 1);

    public int Lost => Total - _feedbacks.Keys.Count(id => { lock (_enqueued) { return _enqueued.Contains(id); } });

    public async Task WaitForAllAsync(TimeSpan timeout)
    {
        if (Completed < Total)
        {
            await Task.WhenAny(_all.Task, Task.Delay(timeout));
        }
        await Task.Delay(1000); // a duplicate feedback would arrive within this
    }

    /// <summary>Reports the four numbers and asserts the promise: everything completed once.</summary>
    public void AssertNothingLostOrDuplicated()
    {
        TestContext.Out.WriteLine($"enqueued={Total} completed={Completed} duplicates={Duplicates} lost={Lost}");
        Assert.That(Lost, Is.Zero, "lost jobs");
        Assert.That(Duplicates, Is.Zero, "duplicate feedbacks");
        Assert.That(Completed, Is.EqualTo(Total));
    }
}
