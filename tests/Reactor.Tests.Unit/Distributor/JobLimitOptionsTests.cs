using NUnit.Framework;

namespace Reactor.Tests.Unit.Distributor;

/// <summary>A limit that cannot be enforced is refused when the options are validated, with the job name in the error.</summary>
[TestFixture]
public sealed class JobLimitOptionsTests
{
    private static IEnumerable<TestCaseData> Bad()
    {
        yield return new TestCaseData(new DistributorOptions().Limit("send_mail", concurrency: 0),
            "Limit('send_mail'): concurrency must be at least 1 (was 0)").SetArgDisplayNames("concurrency 0");
        yield return new TestCaseData(new DistributorOptions().Limit("send_mail", concurrency: -3),
            "Limit('send_mail'): concurrency must be at least 1 (was -3)").SetArgDisplayNames("negative concurrency");
        yield return new TestCaseData(new DistributorOptions().Limit("send_mail", perSecond: 0),
            "Limit('send_mail'): perSecond must be a positive number (was 0)").SetArgDisplayNames("rate 0");
        yield return new TestCaseData(new DistributorOptions().Limit("send_mail", perSecond: -0.5),
            "Limit('send_mail'): perSecond must be a positive number (was -0.5)").SetArgDisplayNames("negative rate");
        yield return new TestCaseData(new DistributorOptions().Limit("send_mail", perSecond: double.NaN),
            "Limit('send_mail'): perSecond must be a positive number (was NaN)").SetArgDisplayNames("NaN rate");
        yield return new TestCaseData(new DistributorOptions().Limit("send_mail", perSecond: double.PositiveInfinity),
            "perSecond must be a positive number").SetArgDisplayNames("infinite rate");
        yield return new TestCaseData(new DistributorOptions().Limit("", concurrency: 1),
            "Limit: the job name is empty").SetArgDisplayNames("empty name");
        yield return new TestCaseData(new DistributorOptions().Limit("  ", concurrency: 1),
            "Limit: the job name is empty").SetArgDisplayNames("blank name");
        yield return new TestCaseData(new DistributorOptions().Limit(null!, concurrency: 1),
            "Limit: the job name is empty").SetArgDisplayNames("null name");
        yield return new TestCaseData(new DistributorOptions().Limit("send_mail"),
            "Limit('send_mail') sets neither concurrency nor perSecond").SetArgDisplayNames("no limit at all");
        yield return new TestCaseData(new DistributorOptions().Limit("send_mail", concurrency: 1).Limit("send_mail", perSecond: 1),
            "Limit('send_mail') is set twice").SetArgDisplayNames("twice");
        yield return new TestCaseData(new DistributorOptions { LimitLeaseTtl = TimeSpan.FromMilliseconds(500) },
            "LimitLeaseTtl must be at least 1 s").SetArgDisplayNames("short lease");
    }

    [TestCaseSource(nameof(Bad))]
    public void A_bad_limit_fails_validation(DistributorOptions options, string problem)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain(problem));
    }

    [Test]
    public void A_bad_limit_fails_the_distributor_constructor_before_anything_starts()
    {
        var options = new DistributorOptions { Port = 0 }.Limit("send_mail", concurrency: 0);

        Assert.Throws<ArgumentException>(() => _ = new ReactorDistributor(options));
    }

    [Test]
    public void Good_limits_pass()
    {
        var options = new DistributorOptions()
            .Limit("send_mail", concurrency: 10, perSecond: 100)
            .Limit("resize", concurrency: 1)
            .Limit("ping", perSecond: 0.5);

        Assert.That(options.Validate, Throws.Nothing);
    }
}
