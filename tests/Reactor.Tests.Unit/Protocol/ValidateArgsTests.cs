using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

public class ValidateArgsTests
{
    private static readonly MessageCodec Codec = new();

    private sealed class Customer
    {
        public string Name { get; set; } = "x";
    }

    private static IEnumerable<TestCaseData> Unsupported()
    {
        TestCaseData Case(string name, JobArgs args, string path, string typeName) =>
            new TestCaseData(args, path, typeName).SetArgDisplayNames(name);

        yield return Case("a stream", new JobArgs { ["s"] = new MemoryStream() }, "'s'", "MemoryStream");
        yield return Case("a custom class nested in a list",
            new JobArgs { ["items"] = new List<object?> { 1, new Customer() } }, "'items[1]'", "Customer");
        yield return Case("a custom class inside a nested map",
            new JobArgs { ["outer"] = new Dictionary<string, object?> { ["inner"] = new Customer() } }, "'outer.inner'", "Customer");
        yield return Case("an anonymous object nested in args",
            new JobArgs { ["options"] = new { a = 1 } }, "'options'", "AnonymousType");
        yield return Case("a map with a non-string key",
            new JobArgs { ["m"] = new Dictionary<int, string> { [1] = "x" } }, "'m'", "Int32");
        yield return Case("a delegate", new JobArgs { ["f"] = new Func<int>(() => 1) }, "'f'", "Func");
    }

    [TestCaseSource(nameof(Unsupported))]
    public void Unsupported_value_is_refused_naming_its_key_path(JobArgs args, string path, string typeName)
    {
        var error = Assert.Throws<ArgumentException>(() => Codec.ValidateArgs(args));

        Assert.That(error!.Message, Does.Contain(path).And.Contain(typeName));
    }

    [Test]
    public void Every_supported_type_is_accepted_and_the_encoded_size_is_returned()
    {
        var args = new JobArgs
        {
            ["null"] = null, ["bool"] = false, ["byte"] = (byte)1, ["sbyte"] = (sbyte)-1, ["short"] = (short)1,
            ["ushort"] = (ushort)1, ["int"] = 1, ["uint"] = 1u, ["long"] = 1L, ["ulong"] = 1ul, ["float"] = 1f,
            ["double"] = 1d, ["decimal"] = 1m, ["char"] = 'c', ["string"] = "s", ["bytes"] = new byte[] { 1 },
            ["guid"] = Guid.Empty, ["enum"] = DayOfWeek.Monday, ["datetime"] = DateTime.UtcNow,
            ["offset"] = DateTimeOffset.UtcNow, ["timespan"] = TimeSpan.FromSeconds(1),
            ["list"] = new List<object?> { 1, "a" }, ["array"] = new[] { 1, 2 }, ["set"] = new HashSet<string> { "a" },
            ["map"] = new Dictionary<string, object?> { ["k"] = 1 }, ["args"] = new JobArgs { ["k"] = 1 },
        };

        Assert.That(Codec.ValidateArgs(args), Is.GreaterThan(args.Count * 2));
        Assert.That(Codec.ValidateArgs(new JobArgs()), Is.EqualTo(1), "an empty map is the single byte 0x80");
    }

    [Test]
    public void Args_nested_deeper_than_the_peer_accepts_are_refused_before_sending()
    {
        // The args map is level 1; each list adds one. The receiver refuses level 33, so the
        // sender must too, or a job would be re-dispatched forever to peers that drop it.
        var atLimit = new JobArgs { ["deep"] = Nest(ProtocolLimits.Default.MaxDepth - 1) };
        var overLimit = new JobArgs { ["deep"] = Nest(ProtocolLimits.Default.MaxDepth) };

        Assert.That(() => Codec.ValidateArgs(atLimit), Throws.Nothing);
        Assert.That(JobArgsTests.OverTheWire(atLimit).ContainsKey("deep"), Is.True);
        var error = Assert.Throws<ArgumentException>(() => Codec.ValidateArgs(overLimit));
        Assert.That(error!.Message, Does.Contain("'deep[0]").And.Contain("32"));
    }

    [Test]
    public void Args_that_contain_themselves_are_refused_instead_of_overflowing_the_stack()
    {
        var loop = new List<object?>();
        loop.Add(loop);

        var error = Assert.Throws<ArgumentException>(() => Codec.ValidateArgs(new JobArgs { ["loop"] = loop }));

        Assert.That(error!.Message, Does.Contain("'loop"));
    }

    [Test]
    public void Collection_longer_than_the_peer_accepts_is_refused_before_sending()
    {
        var codec = new MessageCodec(new ProtocolLimits { MaxCollectionLength = 3 });

        Assert.That(() => codec.ValidateArgs(new JobArgs { ["l"] = new[] { 1, 2, 3 } }), Throws.Nothing);
        var list = Assert.Throws<ArgumentException>(() => codec.ValidateArgs(new JobArgs { ["l"] = new[] { 1, 2, 3, 4 } }));
        var map = Assert.Throws<ArgumentException>(() => codec.ValidateArgs(new JobArgs { ["a"] = 1, ["b"] = 2, ["c"] = 3, ["d"] = 4 }));

        Assert.That(list!.Message, Does.Contain("'l'").And.Contain("4 entries"));
        Assert.That(map!.Message, Does.Contain("4 entries"));
    }

    [Test]
    public void Args_larger_than_a_frame_are_refused_before_sending()
    {
        var codec = new MessageCodec(new ProtocolLimits { MaxFrameBytes = 64 });

        Assert.That(() => codec.ValidateArgs(new JobArgs { ["b"] = new byte[32] }), Throws.Nothing);
        var error = Assert.Throws<ArgumentException>(() => codec.ValidateArgs(new JobArgs { ["b"] = new byte[64] }));

        Assert.That(error!.Message, Does.Contain("frame limit of 64"));
    }

    [Test]
    public void Message_with_unsupported_args_cannot_be_encoded()
    {
        var dispatch = new Dispatch("j", "n", new JobArgs { ["s"] = new MemoryStream() }, 0, 0, false, 0, 0, 0);

        Assert.Throws<ArgumentException>(() => Codec.EncodeFrame(dispatch));
    }

    private static List<object?> Nest(int levels)
    {
        var list = new List<object?>();
        for (var i = 1; i < levels; i++)
        {
            list = [list];
        }
        return list;
    }
}
