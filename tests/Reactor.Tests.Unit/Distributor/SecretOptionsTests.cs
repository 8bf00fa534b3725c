using NUnit.Framework;
using Reactor.Protocol;

namespace Reactor.Tests.Unit.Distributor;

/// <summary>
/// A shared secret is either absent or at least <see cref="SharedSecret.MinLength"/> characters: an empty
/// one would let any peer prove it. Both ends refuse a weak one when they validate their options.
/// </summary>
[TestFixture]
public sealed class SecretOptionsTests
{
    private const string Sixteen = "0123456789abcdef";

    private static IEnumerable<TestCaseData> Weak()
    {
        yield return new TestCaseData("", "must not be empty").SetArgDisplayNames("empty");
        yield return new TestCaseData("   \t ", "must not be empty").SetArgDisplayNames("whitespace");
        yield return new TestCaseData("s3cret", "at least 16 characters").SetArgDisplayNames("six characters");
        yield return new TestCaseData(Sixteen[..15], "at least 16 characters").SetArgDisplayNames("fifteen characters");
        yield return new TestCaseData("  " + Sixteen[..14] + "  ", "at least 16 characters").SetArgDisplayNames("sixteen with padding");
    }

    [TestCaseSource(nameof(Weak))]
    public void A_weak_secret_fails_distributor_validation_even_on_loopback(string secret, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => new DistributorOptions { Secret = secret }.Validate());

        Assert.That(error!.Message, Does.Contain(reason));
    }

    [TestCaseSource(nameof(Weak))]
    public void A_weak_secret_fails_distributor_validation_beyond_loopback(string secret, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => new DistributorOptions { Host = "0.0.0.0", Secret = secret }.Validate());

        Assert.That(error!.Message, Does.Contain(reason));
    }

    [TestCaseSource(nameof(Weak))]
    public void A_weak_secret_fails_node_validation(string secret, string reason)
    {
        var options = new NodeOptions { Name = "n", Secret = secret, Jobs = _ => { } };
        options.Distributors.Add("127.0.0.1:5000");

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain(reason));
    }

    [Test]
    public void A_weak_secret_stops_the_distributor_constructor()
    {
        Assert.Throws<ArgumentException>(() => _ = new ReactorDistributor(new DistributorOptions { Port = 0, Secret = "" }));
    }

    [Test]
    public void Sixteen_characters_or_no_secret_at_all_are_accepted()
    {
        Assert.That(SharedSecret.MinLength, Is.EqualTo(16));
        Assert.DoesNotThrow(() => new DistributorOptions { Host = "0.0.0.0", Secret = Sixteen }.Validate());
        Assert.DoesNotThrow(() => new DistributorOptions { Secret = null }.Validate());
        var node = new NodeOptions { Name = "n", Secret = Sixteen, Jobs = _ => { } };
        node.Distributors.Add("127.0.0.1:5000");
        Assert.DoesNotThrow(node.Validate);
        node.Secret = null;
        Assert.DoesNotThrow(node.Validate);
    }
}
