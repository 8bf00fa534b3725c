using NUnit.Framework;
using Reactor.Protocol.Framing;

namespace Reactor.Tests.Unit.Protocol;

public sealed class JobArgsSerializerTests
{
    [Test]
    public void Args_round_trip_with_nested_values()
    {
        var args = new JobArgs
        {
            ["name"] = "ünï",
            ["count"] = 5,
            ["list"] = new List<object?> { 1L << 40, null, new Dictionary<string, object?> { ["deep"] = true } },
            ["bytes"] = new byte[] { 1, 2, 3 },
        };

        var copy = JobArgsSerializer.Deserialize(JobArgsSerializer.Serialize(args));

        Assert.That(copy.Get<string>("name"), Is.EqualTo("ünï"));
        Assert.That(copy.Get<int>("count"), Is.EqualTo(5));
        var list = (List<object?>)copy["list"]!;
        Assert.That(list[0], Is.EqualTo(1L << 40));
        Assert.That(((Dictionary<string, object?>)list[2]!)["deep"], Is.True);
        Assert.That(copy["bytes"], Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Empty_args_are_an_empty_map() =>
        Assert.That(JobArgsSerializer.Serialize(new JobArgs()), Is.EqualTo(new byte[] { 0x80 }));

    [TestCase(new byte[0], "claim more data")]
    [TestCase(new byte[] { 0xc1 }, "malformed")]
    [TestCase(new byte[] { 0x05 }, "malformed")]
    [TestCase(new byte[] { 0x81, 0xa1 }, "claim more data")]
    [TestCase(new byte[] { 0x81, 0x01, 0x02 }, "keys must be strings")]
    [TestCase(new byte[] { 0x80, 0x80 }, "stray bytes")]
    [TestCase(new byte[] { 0x81, 0xa1, 0x6b, 0xd4, 0x05, 0x00 }, "unsupported")]
    public void Corrupt_bytes_are_invalid_data(byte[] bytes, string reason) =>
        Assert.That(() => JobArgsSerializer.Deserialize(bytes), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(reason));

    [Test]
    public void Nesting_beyond_the_protocol_limit_is_invalid_data()
    {
        var bytes = new byte[] { 0x81, 0xa1, (byte)'k' }.Concat(Enumerable.Repeat((byte)0x91, 40)).Append((byte)0xc0).ToArray();

        Assert.That(() => JobArgsSerializer.Deserialize(bytes), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("nest deeper"));
    }

    [Test]
    public void A_collection_claiming_more_entries_than_the_limit_is_invalid_data()
    {
        // A map header claiming 2^32-1 entries with nothing behind it must fail before allocating.
        var bytes = new byte[] { 0xdf, 0xff, 0xff, 0xff, 0xff };

        Assert.That(() => JobArgsSerializer.Deserialize(bytes), Throws.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void A_value_args_cannot_hold_is_refused_naming_its_key() =>
        Assert.That(() => JobArgsSerializer.Serialize(new JobArgs { ["stream"] = new MemoryStream() }),
            Throws.ArgumentException.With.Message.Contains("'stream'"));
}
