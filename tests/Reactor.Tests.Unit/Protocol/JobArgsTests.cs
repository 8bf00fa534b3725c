using System.Buffers;
using System.Collections;
using NUnit.Framework;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

public class JobArgsTests
{
    /// <summary>Sends <paramref name="args"/> through the codec in a Dispatch and returns what arrives.</summary>
    internal static JobArgs OverTheWire(JobArgs args)
    {
        var codec = new MessageCodec();
        var buffer = new ReadOnlySequence<byte>(codec.EncodeFrame(new Dispatch("j", "n", args, 0, 0, false, 0, 0, 0)));
        codec.TryReadFrame(ref buffer, out var message);
        return ((Dispatch)message).Args;
    }

    [Test]
    public void Integer_read_back_from_the_wire_is_an_int_or_a_long_and_Get_converts_it()
    {
        var args = OverTheWire(new JobArgs { ["small"] = 5L, ["big"] = 5_000_000_000, ["tiny"] = (byte)5 });

        Assert.That(args["small"], Is.TypeOf<int>());
        Assert.That(args["tiny"], Is.TypeOf<int>());
        Assert.That(args["big"], Is.TypeOf<long>());
        Assert.That(args.Get<long>("small"), Is.EqualTo(5L));
        Assert.That(args.Get<byte>("small"), Is.EqualTo((byte)5));
        Assert.That(args.Get<double>("small"), Is.EqualTo(5.0));
        Assert.That(args.Get<int?>("small"), Is.EqualTo(5));
        Assert.That(args.Get<long>("big"), Is.EqualTo(5_000_000_000));
    }

    [Test]
    public void Narrowed_integer_is_not_an_int_unless_converted()
    {
        // A peer in another language may send 5 as a uint8; the value still has to read as int.
        var args = new JobArgs { ["n"] = (byte)5 };

        Assert.That(args["n"] is int, Is.False);
        Assert.That(args.Get<int>("n"), Is.EqualTo(5));
    }

    [Test]
    public void Get_of_a_value_that_does_not_fit_names_the_key()
    {
        var args = new JobArgs { ["big"] = 5_000_000_000, ["text"] = "abc" };

        var overflow = Assert.Throws<InvalidCastException>(() => args.Get<int>("big"));
        var format = Assert.Throws<InvalidCastException>(() => args.Get<int>("text"));

        Assert.That(overflow!.Message, Does.Contain("'big'").And.Contain("Int64").And.Contain("Int32"));
        Assert.That(format!.Message, Does.Contain("'text'"));
    }

    [Test]
    public void Get_of_null_is_default_for_reference_and_nullable_types_and_an_error_for_value_types()
    {
        var args = new JobArgs { ["nothing"] = null };

        Assert.That(args.Get<string>("nothing"), Is.Null);
        Assert.That(args.Get<int?>("nothing"), Is.Null);
        var error = Assert.Throws<InvalidCastException>(() => args.Get<int>("nothing"));
        Assert.That(error!.Message, Does.Contain("'nothing'"));
    }

    [Test]
    public void Missing_key_error_names_the_key()
    {
        var args = new JobArgs { ["present"] = 1 };

        var indexer = Assert.Throws<KeyNotFoundException>(() => _ = args["absent"]);
        var get = Assert.Throws<KeyNotFoundException>(() => args.Get<int>("absent"));

        Assert.That(indexer!.Message, Does.Contain("'absent'"));
        Assert.That(get!.Message, Does.Contain("'absent'"));
    }

    [Test]
    public void Get_with_a_fallback_returns_it_only_for_a_missing_key()
    {
        var args = new JobArgs { ["n"] = 7 };

        Assert.That(args.Get("n", 1), Is.EqualTo(7));
        Assert.That(args.Get("absent", 1), Is.EqualTo(1));
    }

    [Test]
    public void Values_written_as_other_wire_types_read_back_as_their_original_type_with_Get()
    {
        var id = Guid.NewGuid();
        var args = OverTheWire(new JobArgs
        {
            ["id"] = id,
            ["outcome"] = JobOutcome.Cancelled,
            ["delay"] = TimeSpan.FromMilliseconds(1500),
            ["price"] = 12.5m,
            ["letter"] = 'x',
            ["at"] = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
        });

        Assert.That(args.Get<Guid>("id"), Is.EqualTo(id));
        Assert.That(args.Get<JobOutcome>("outcome"), Is.EqualTo(JobOutcome.Cancelled));
        Assert.That(args.Get<TimeSpan>("delay"), Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        Assert.That(args.Get<decimal>("price"), Is.EqualTo(12.5m));
        Assert.That(args.Get<char>("letter"), Is.EqualTo('x'));
        Assert.That(args.Get<DateTimeOffset>("at"), Is.EqualTo(new DateTimeOffset(2024, 1, 2, 1, 4, 5, TimeSpan.Zero)));
    }

    [Test]
    public void Get_of_an_enum_from_a_number_or_an_unknown_name()
    {
        var args = new JobArgs { ["code"] = 1, ["bad"] = "NoSuchOutcome" };

        Assert.That(args.Get<JobOutcome>("code"), Is.EqualTo(JobOutcome.Failed));
        var error = Assert.Throws<InvalidCastException>(() => args.Get<JobOutcome>("bad"));
        Assert.That(error!.Message, Does.Contain("'bad'"));
    }

    [Test]
    public void From_an_anonymous_object_takes_its_public_properties()
    {
        var args = JobArgs.From(new { arg1 = "Hello", n = 5, nothing = (string?)null });

        Assert.That(args.Keys, Is.EqualTo(new[] { "arg1", "n", "nothing" }));
        Assert.That(args["arg1"], Is.EqualTo("Hello"));
        Assert.That(args["n"], Is.EqualTo(5));
        Assert.That(args["nothing"], Is.Null);
    }

    [Test]
    public void From_a_dictionary_copies_its_entries()
    {
        var source = new Dictionary<string, object?> { ["a"] = 1, ["b"] = "two" };

        var args = JobArgs.From(source);
        source["a"] = 100;

        Assert.That(args.Count, Is.EqualTo(2));
        Assert.That(args["a"], Is.EqualTo(1));
        Assert.That(args["b"], Is.EqualTo("two"));
    }

    [Test]
    public void From_a_typed_dictionary_copies_its_entries()
    {
        var args = JobArgs.From(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 });

        Assert.That(args["a"], Is.EqualTo(1));
        Assert.That(args["b"], Is.EqualTo(2));
    }

    [Test]
    public void From_a_dictionary_with_non_string_keys_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => JobArgs.From(new Hashtable { [1] = "x" }));

        Assert.That(error!.Message, Does.Contain("keys must be strings"));
    }

    [Test]
    public void From_null_is_empty_and_from_args_is_a_copy()
    {
        var original = new JobArgs { ["a"] = 1 };

        var copy = JobArgs.From(original);
        copy["b"] = 2;

        Assert.That(JobArgs.From(null).Count, Is.Zero);
        Assert.That(copy, Is.Not.SameAs(original));
        Assert.That(original.ContainsKey("b"), Is.False);
    }

    [Test]
    public void Nil_args_on_the_wire_read_as_an_empty_map()
    {
        // [4, ["j", "n", nil, 0, 0, false, 0, 0, 0]]
        var body = Bytes.Hex("92 04 99 a1 6a a1 6e c0 00 00 c2 00 00 00");

        var dispatch = (Dispatch)new MessageCodec().Decode(new ReadOnlySequence<byte>(body));

        Assert.That(dispatch.Args.Count, Is.Zero);
    }

    [Test]
    public void Args_values_round_trip_as_the_documented_types()
    {
        var local = new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Local).AddTicks(4567);
        var id = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");
        var sent = new JobArgs
        {
            ["null"] = null,
            ["true"] = true,
            ["byte"] = (byte)200,
            ["sbyte"] = (sbyte)-100,
            ["short"] = (short)-30_000,
            ["ushort"] = (ushort)60_000,
            ["int"] = int.MinValue,
            ["uint small"] = 7u,
            ["uint big"] = 4_000_000_000u,
            ["long small"] = -1L,
            ["long big"] = long.MinValue,
            ["ulong small"] = 9ul,
            ["ulong big"] = ulong.MaxValue,
            ["float"] = 1.25f,
            ["double"] = 0.1,
            ["decimal"] = 2.5m,
            ["string"] = "héllo",
            ["empty string"] = "",
            ["char"] = 'z',
            ["bytes"] = new byte[] { 0, 1, 255 },
            ["guid"] = id,
            ["enum"] = JobOutcome.Failed,
            ["utc"] = new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(1),
            ["local"] = local,
            ["offset"] = new DateTimeOffset(2024, 1, 1, 12, 0, 0, TimeSpan.FromHours(-5)),
            ["timespan"] = TimeSpan.FromSeconds(2.5),
            ["list"] = new List<int> { 1, 2 },
            ["array"] = new[] { "a", "b" },
            ["map"] = new Dictionary<string, object?> { ["inner"] = new List<object?> { 1L, null } },
            ["typed map"] = new Dictionary<string, long> { ["x"] = 1 },
            ["args"] = new JobArgs { ["nested"] = true },
        };
        var expected = new JobArgs
        {
            ["null"] = null,
            ["true"] = true,
            ["byte"] = 200,
            ["sbyte"] = -100,
            ["short"] = -30_000,
            ["ushort"] = 60_000,
            ["int"] = int.MinValue,
            ["uint small"] = 7,
            ["uint big"] = 4_000_000_000L,
            ["long small"] = -1,
            ["long big"] = long.MinValue,
            ["ulong small"] = 9,
            ["ulong big"] = ulong.MaxValue,
            ["float"] = 1.25f,
            ["double"] = 0.1,
            ["decimal"] = 2.5,
            ["string"] = "héllo",
            ["empty string"] = "",
            ["char"] = "z",
            ["bytes"] = new byte[] { 0, 1, 255 },
            ["guid"] = "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            ["enum"] = "Failed",
            ["utc"] = new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(1),
            ["local"] = local.ToUniversalTime(),
            ["offset"] = new DateTime(2024, 1, 1, 17, 0, 0, DateTimeKind.Utc),
            ["timespan"] = 2500.0,
            ["list"] = new List<object?> { 1, 2 },
            ["array"] = new List<object?> { "a", "b" },
            ["map"] = new Dictionary<string, object?> { ["inner"] = new List<object?> { 1, null } },
            ["typed map"] = new Dictionary<string, object?> { ["x"] = 1 },
            ["args"] = new Dictionary<string, object?> { ["nested"] = true },
        };

        var received = OverTheWire(sent);

        Assert.That(Structural.Diff(expected, received), Is.Null);
        Assert.That(received.Keys, Is.EqualTo(sent.Keys), "keys keep their order");
    }

    [Test]
    public void Clone_copies_top_level_entries_only()
    {
        var list = new List<object?> { 1 };
        var original = new JobArgs { ["list"] = list, ["n"] = 1 };

        var clone = original.Clone();
        clone["n"] = 2;

        Assert.That(original["n"], Is.EqualTo(1));
        Assert.That(clone["list"], Is.SameAs(list));
    }
}
