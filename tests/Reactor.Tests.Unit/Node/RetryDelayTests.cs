using NUnit.Framework;
using Reactor.Node.Runtime;

namespace Reactor.Tests.Unit.Node;

[TestFixture]
public sealed class RetryDelayTests
{
    private static readonly TimeSpan Five = TimeSpan.FromSeconds(5);

    [TestCase(1, 5)]
    [TestCase(2, 10)]
    [TestCase(10, 50)]
    public void Linear_is_attempt_times_the_multiplier_as_in_JobReactor(int attempt, int seconds) =>
        Assert.That(RetryDelay.Compute(RetryBackoff.Linear, attempt, Five, 0.7), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase(1, 5)]
    [TestCase(2, 10)]
    [TestCase(4, 40)]
    public void Exponential_doubles_and_keeps_at_least_half_whatever_the_jitter(int attempt, int fullSeconds)
    {
        var full = TimeSpan.FromSeconds(fullSeconds);

        Assert.That(RetryDelay.Compute(RetryBackoff.ExponentialJitter, attempt, Five, 0), Is.EqualTo(full / 2));
        Assert.That(RetryDelay.Compute(RetryBackoff.ExponentialJitter, attempt, Five, 0.999999), Is.EqualTo(full).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public void Exponential_is_capped_at_an_hour()
    {
        Assert.That(RetryDelay.Compute(RetryBackoff.ExponentialJitter, 40, Five, 0.999999), Is.LessThanOrEqualTo(TimeSpan.FromHours(1)));
        Assert.That(RetryDelay.Compute(RetryBackoff.Linear, 10_000, Five, 0), Is.EqualTo(TimeSpan.FromHours(1)));
    }

    [Test]
    public void A_zero_multiplier_retries_at_once() =>
        Assert.That(RetryDelay.Compute(RetryBackoff.ExponentialJitter, 3, TimeSpan.Zero, 0.5), Is.EqualTo(TimeSpan.Zero));
}
