using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Node.Runtime;

namespace Reactor.Tests.Unit.Node;

[TestFixture]
[CancelAfter(30_000)]
public sealed class TimerQueueTests
{
    private sealed record Item(string Name, int Index = -1);

    private FakeTimeProvider _time = null!;
    private ReactorLoop _loop = null!;
    private List<string> _fired = null!;
    private TimerQueue<Item> _queue = null!;
    private SemaphoreSlim _signal = null!;
    // Exceptions on the loop thread: an assertion there would be swallowed by the loop, so they
    // are collected and asserted on the test thread (TearDown fails the test).
    private ConcurrentQueue<Exception> _loopErrors = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        _loopErrors = new ConcurrentQueue<Exception>();
        _loop = new ReactorLoop("test-loop", _loopErrors.Enqueue);
        _loop.Start();
        _fired = [];
        _signal = new SemaphoreSlim(0);
        _queue = new TimerQueue<Item>(_time, _loop, item =>
        {
            _fired.Add(item.Name);
            _signal.Release();
        });
    }

    [TearDown]
    public void TearDown()
    {
        _queue.Dispose();
        _loop.Dispose();
        _signal.Dispose();
        Assert.That(_loopErrors.Select(e => e.ToString()), Is.Empty, "work on the loop threw");
    }

    private Task OnLoopAsync(Action action) => _loop.InvokeAsync(() =>
    {
        action();
        return true;
    });

    private async Task<List<string>> FiredAsync() => await _loop.InvokeAsync(() => _fired.ToList());

    [Test]
    public async Task An_item_fires_at_its_due_time_and_not_before()
    {
        await OnLoopAsync(() => _queue.Schedule(new Item("a"), _time.GetUtcNow().AddSeconds(2)));

        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.That(await _signal.WaitAsync(200), Is.False, "not due yet");
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That(await _signal.WaitAsync(5000), Is.True);
        Assert.That(await FiredAsync(), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task Items_fire_in_due_order_whatever_order_they_were_scheduled_in()
    {
        var now = _time.GetUtcNow();
        await OnLoopAsync(() =>
        {
            _queue.Schedule(new Item("late"), now.AddSeconds(3));
            _queue.Schedule(new Item("early"), now.AddSeconds(1));
            _queue.Schedule(new Item("middle"), now.AddSeconds(2));
        });

        _time.Advance(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await _signal.WaitAsync(5000), Is.True);
        }

        Assert.That(await FiredAsync(), Is.EqualTo(new[] { "early", "middle", "late" }));
    }

    [Test]
    public async Task An_earlier_item_scheduled_later_rearms_the_single_timer()
    {
        var now = _time.GetUtcNow();
        await OnLoopAsync(() => _queue.Schedule(new Item("hour"), now.AddHours(1)));
        await OnLoopAsync(() => _queue.Schedule(new Item("second"), now.AddSeconds(1)));

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await _signal.WaitAsync(5000), Is.True);
        Assert.That(await FiredAsync(), Is.EqualTo(new[] { "second" }));
    }

    [Test]
    public async Task An_item_due_in_more_than_a_year_is_kept_and_fires_when_due()
    {
        await OnLoopAsync(() => _queue.Schedule(new Item("far"), _time.GetUtcNow().AddDays(400)));

        for (var day = 0; day < 399; day++)
        {
            _time.Advance(TimeSpan.FromDays(1));
        }
        Assert.That(await _signal.WaitAsync(200), Is.False);
        _time.Advance(TimeSpan.FromDays(1));

        Assert.That(await _signal.WaitAsync(5000), Is.True);
        Assert.That(await _loop.InvokeAsync(() => _queue.Count), Is.Zero);
    }

    [Test]
    public async Task A_hundred_thousand_items_with_one_due_time_all_fire_once()
    {
        const int items = 100_000;
        // Touched only on the loop thread (the due callback and InvokeAsync run there).
        var firedPerItem = new int[items];
        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Dispose();
        _queue = new TimerQueue<Item>(_time, _loop, item =>
        {
            if (item.Index >= 0)
            {
                firedPerItem[item.Index]++;
            }
            else
            {
                late.TrySetResult();
            }
        });
        var due = _time.GetUtcNow().AddSeconds(5);
        await OnLoopAsync(() =>
        {
            for (var i = 0; i < items; i++)
            {
                _queue.Schedule(new Item("x", i), due);
            }
            // Due after all of them: once it fired, any repeat of an earlier item would already have happened.
            _queue.Schedule(new Item("sentinel"), due.AddSeconds(1));
        });

        _time.Advance(TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(1));
        await late.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var counts = await _loop.InvokeAsync(() => firedPerItem.ToArray());
        var never = counts.Select((n, i) => (n, i)).Where(x => x.n == 0).Select(x => x.i).ToList();
        var repeated = counts.Select((n, i) => (n, i)).Where(x => x.n > 1).Select(x => $"{x.i}x{x.n}").ToList();
        Assert.That(never, Is.Empty, $"{never.Count} items never fired");
        Assert.That(repeated, Is.Empty, $"{repeated.Count} items fired more than once");
        Assert.That(await _loop.InvokeAsync(() => _queue.Count), Is.Zero);
    }

    [Test]
    public async Task A_long_drain_yields_the_loop_to_other_work_between_batches()
    {
        const int items = TimerQueue<Item>.MaxPerTurn * 3;
        // Loop-only state: how many items had fired when other work posted meanwhile got its turn.
        var firedBeforeOther = -1;
        var fired = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Dispose();
        _queue = new TimerQueue<Item>(_time, _loop, _ =>
        {
            if (++fired == 1)
            {
                // Posted from inside the first batch: a drain that never yields would run it only after all items.
                _loop.Post(() => firedBeforeOther = fired);
            }
            if (fired == items)
            {
                all.TrySetResult();
            }
        });
        var due = _time.GetUtcNow().AddSeconds(1);
        await OnLoopAsync(() =>
        {
            for (var i = 0; i < items; i++)
            {
                _queue.Schedule(new Item("x", i), due);
            }
        });

        _time.Advance(TimeSpan.FromSeconds(1));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(await _loop.InvokeAsync(() => firedBeforeOther), Is.EqualTo(TimerQueue<Item>.MaxPerTurn),
            "other work ran right after the first batch, and every item still fired");
        Assert.That(await _loop.InvokeAsync(() => _queue.Count), Is.Zero);
    }
}
