using NUnit.Framework;

namespace Reactor.Tests.Unit.Distributor;

/// <summary>The bad scheduling inputs issue 3 lists: refused with a clear error, or accepted as documented.</summary>
[TestFixture]
public sealed class EnqueueOptionsTests
{
    private static IEnumerable<TestCaseData> Refused()
    {
        yield return new TestCaseData(new EnqueueOptions { Period = TimeSpan.Zero }, "Period must be positive").SetName("Zero_period_is_refused");
        yield return new TestCaseData(new EnqueueOptions { Period = TimeSpan.FromSeconds(-1) }, "Period must be positive").SetName("Negative_period_is_refused");
        yield return new TestCaseData(new EnqueueOptions { MaxAttempt = 0 }, "MaxAttempt must be at least 1").SetName("MaxAttempt_zero_is_refused");
        yield return new TestCaseData(new EnqueueOptions { MaxAttempt = -3 }, "MaxAttempt must be at least 1").SetName("Negative_MaxAttempt_is_refused");
        yield return new TestCaseData(new EnqueueOptions { After = TimeSpan.FromSeconds(-1) }, "After must not be negative").SetName("Negative_After_is_refused");
        yield return new TestCaseData(new EnqueueOptions { After = TimeSpan.FromSeconds(1), RunAt = DateTimeOffset.UtcNow }, "not both").SetName("After_and_RunAt_together_are_refused");
        yield return new TestCaseData(new EnqueueOptions { Timeout = TimeSpan.Zero }, "Timeout must be positive").SetName("Zero_timeout_is_refused");
        yield return new TestCaseData(new EnqueueOptions { MaxDispatches = 0 }, "MaxDispatches must be at least 1").SetName("MaxDispatches_zero_is_refused");
        yield return new TestCaseData(new EnqueueOptions { Node = "a", NotNode = "a" }, "both name 'a'").SetName("Node_equal_to_NotNode_is_refused");
        yield return new TestCaseData(new EnqueueOptions { Priority = (JobPriority)7 }, "unknown JobPriority").SetName("An_undefined_priority_is_refused");
        yield return new TestCaseData(new EnqueueOptions { UniqueUntil = UniqueUntil.Start }, "UniqueUntil applies to UniqueKey").SetName("UniqueUntil_without_a_key_is_refused");
        yield return new TestCaseData(new EnqueueOptions { UniqueKey = "k", UniqueUntil = (UniqueUntil)5 }, "unknown UniqueUntil").SetName("An_undefined_UniqueUntil_is_refused");
    }

    [TestCaseSource(nameof(Refused))]
    public void Refused_options_say_why(EnqueueOptions options, string reason)
    {
        var error = Assert.Catch<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain(reason));
    }

    [Test]
    public void A_run_time_in_the_past_and_a_delay_beyond_a_year_are_accepted()
    {
        Assert.DoesNotThrow(new EnqueueOptions { RunAt = DateTimeOffset.UtcNow.AddYears(-1) }.Validate);
        Assert.DoesNotThrow(new EnqueueOptions { After = TimeSpan.FromDays(400), Period = TimeSpan.FromMilliseconds(1) }.Validate);
    }
}
