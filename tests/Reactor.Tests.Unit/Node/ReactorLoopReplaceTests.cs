using NUnit.Framework;
using Reactor.Node.Runtime;

namespace Reactor.Tests.Unit.Node;

/// <summary>Moving the loop off a blocked thread: queued work runs on the fresh one, the old one never runs loop work again.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class ReactorLoopReplaceTests
{
    private sealed record Step(TimeSpan? Timeout) : ILoopStep;

    [Test]
    public async Task Work_queued_behind_a_blocked_thread_runs_on_a_fresh_thread_and_the_old_one_leaves()
    {
        using var loop = new ReactorLoop("replace-test", e => Assert.Fail(e.ToString()));
        loop.Start();
        using var release = new ManualResetEventSlim();
        using var blocking = new ManualResetEventSlim();
        var step = new Step(TimeSpan.FromSeconds(1));
        var blockedThread = 0;
        var threadsAfterRelease = new List<int>();
        loop.Post(() =>
        {
            blockedThread = Environment.CurrentManagedThreadId;
            loop.EnterStep(step);
            blocking.Set();
            release.Wait();
        });
        Assert.That(blocking.Wait(TimeSpan.FromSeconds(10)), Is.True);
        var behind = loop.InvokeAsync(() => Environment.CurrentManagedThreadId);
        var state = loop.State;
        Assert.That(state.Busy, Is.True);
        Assert.That(state.Step, Is.SameAs(step), "the watchdog sees whose code holds the loop");

        var abandoned = loop.ReplaceThread(state.Turn);
        var ranOn = await behind.WaitAsync(TimeSpan.FromSeconds(10));
        release.Set();
        for (var i = 0; i < 20; i++)
        {
            threadsAfterRelease.Add(await loop.InvokeAsync(() => Environment.CurrentManagedThreadId));
        }

        Assert.That(abandoned, Is.EqualTo(blockedThread));
        Assert.That(ranOn, Is.Not.EqualTo(blockedThread), "queued work ran on a fresh thread");
        Assert.That(loop.ManagedThreadId, Is.EqualTo(ranOn));
        Assert.That(threadsAfterRelease.Distinct(), Is.EqualTo(new[] { ranOn }), "the returned thread runs no loop work");
    }

    [Test]
    public async Task A_loop_that_moved_on_is_not_replaced()
    {
        using var loop = new ReactorLoop("replace-test", e => Assert.Fail(e.ToString()));
        loop.Start();
        var thread = await loop.InvokeAsync(() => Environment.CurrentManagedThreadId);
        var stale = loop.State.Turn - 1;

        Assert.That(loop.ReplaceThread(stale), Is.Null);
        Assert.That(await loop.InvokeAsync(() => Environment.CurrentManagedThreadId), Is.EqualTo(thread));
    }
}
