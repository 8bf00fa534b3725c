using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Node.Runtime;

namespace Reactor.Tests.Unit.Node;

/// <summary>The stall decision, driven by a fake clock and a fake loop state: no threads, no sleeps.</summary>
[TestFixture]
public sealed class LoopWatchdogTests
{
    private sealed record Step(TimeSpan? Timeout) : ILoopStep;

    private FakeTimeProvider _time = null!;
    private LoopState _state;
    private List<LoopStall> _stalls = null!;
    private LoopWatchdog _watchdog = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _stalls = [];
        _watchdog = new LoopWatchdog(() => _state, _time, TimeSpan.FromSeconds(30), _stalls.Add, start: false);
    }

    [TearDown]
    public void TearDown() => _watchdog.Dispose();

    private void After(TimeSpan elapsed)
    {
        _time.Advance(elapsed);
        _watchdog.Check();
    }

    [Test]
    public void A_job_step_that_holds_the_loop_past_its_timeout_is_reported_once()
    {
        var step = new Step(TimeSpan.FromSeconds(2));
        _state = new LoopState(Busy: true, Turn: 7, step);
        _watchdog.Check();

        After(TimeSpan.FromMilliseconds(1999));
        Assert.That(_stalls, Is.Empty, "within its timeout");
        After(TimeSpan.FromMilliseconds(1));
        After(TimeSpan.FromSeconds(5));

        Assert.That(_stalls, Has.Count.EqualTo(1), "one report per stalled turn");
        Assert.That(_stalls[0].Step, Is.SameAs(step));
        Assert.That(_stalls[0].Turn, Is.EqualTo(7));
        Assert.That(_stalls[0].Limit, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(_stalls[0].Held, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void A_loop_that_keeps_turning_is_never_reported_however_long_it_is_busy()
    {
        var step = new Step(TimeSpan.FromSeconds(1));
        for (var turn = 0; turn < 100; turn++)
        {
            _state = new LoopState(true, turn, step);
            After(TimeSpan.FromMilliseconds(900));
        }

        Assert.That(_stalls, Is.Empty);
    }

    [Test]
    public void An_idle_loop_is_never_reported()
    {
        _state = new LoopState(Busy: false, Turn: 3, null);
        for (var i = 0; i < 10; i++)
        {
            After(TimeSpan.FromMinutes(1));
        }

        Assert.That(_stalls, Is.Empty);
    }

    [Test]
    public void Work_without_a_timeout_is_held_to_the_stall_timeout()
    {
        _state = new LoopState(true, 1, null);
        _watchdog.Check();

        After(TimeSpan.FromSeconds(29));
        Assert.That(_stalls, Is.Empty);
        After(TimeSpan.FromSeconds(1));

        Assert.That(_stalls, Has.Count.EqualTo(1));
        Assert.That(_stalls[0].Step, Is.Null);
        Assert.That(_stalls[0].Limit, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void A_step_timeout_longer_than_the_stall_timeout_is_capped_by_it()
    {
        _state = new LoopState(true, 1, new Step(TimeSpan.FromMinutes(10)));
        _watchdog.Check();

        After(TimeSpan.FromSeconds(30));

        Assert.That(_stalls.Single().Limit, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void A_new_stall_after_the_loop_moved_on_is_reported_again()
    {
        _state = new LoopState(true, 1, new Step(TimeSpan.FromSeconds(1)));
        _watchdog.Check();
        After(TimeSpan.FromSeconds(1));
        _state = new LoopState(true, 2, new Step(TimeSpan.FromSeconds(1)));
        After(TimeSpan.FromMilliseconds(100));
        After(TimeSpan.FromSeconds(1));

        Assert.That(_stalls.Select(s => s.Turn), Is.EqualTo(new[] { 1L, 2L }));
    }

    [Test]
    public async Task Started_on_a_fake_clock_it_samples_by_itself()
    {
        using var reported = new SemaphoreSlim(0);
        _state = new LoopState(true, 1, new Step(TimeSpan.FromSeconds(1)));
        using var watchdog = new LoopWatchdog(() => _state, _time, TimeSpan.FromSeconds(30), _ => reported.Release());

        for (var i = 0; i < 30; i++)
        {
            _time.Advance(watchdog.Interval);
        }

        Assert.That(await reported.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
    }
}
