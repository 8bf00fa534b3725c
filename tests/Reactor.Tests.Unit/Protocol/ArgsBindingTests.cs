using NUnit.Framework;

namespace Reactor.Tests.Unit.Protocol;

/// <summary><see cref="JobArgs.As{T}"/>: typed views of args maps, and errors that name the property.</summary>
public sealed class ArgsBindingTests
{
    [Test]
    public void A_record_binds_from_narrowed_wire_values_by_name_ignoring_case_and_underscores()
    {
        var id = Guid.NewGuid();
        var args = new JobArgs
        {
            ["order_id"] = id.ToString(), ["AMOUNT"] = 12.5, ["copies"] = (byte)3, ["tags"] = new List<object?> { "a", "b" },
            ["kind"] = "Express", ["address"] = new Dictionary<string, object?> { ["city"] = "Oslo" }, ["ignored"] = 1,
        };

        var order = args.As<Order>();

        Assert.That(order, Is.EqualTo(order with { OrderId = id, Amount = 12.5m, Copies = 3, Kind = Kind.Express }));
        Assert.That(order.Tags, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(order.Address.City, Is.EqualTo("Oslo"));
        Assert.That(order.Note, Is.Null, "an optional reference property may be absent");
    }

    [TestCase("copies", "three", "property 'Copies' holds string \"three\", which cannot be read as Int32")]
    [TestCase("order_id", "x", "property 'OrderId' holds string \"x\", which cannot be read as Guid")]
    [TestCase("amount", null, "property 'Amount' is nil, but Decimal cannot be null")]
    public void A_mistyped_value_is_an_error_naming_the_property(string key, object? value, string expected)
    {
        var args = Valid();
        args[key] = value;

        var error = Assert.Throws<JobArgsException>(() => args.As<Order>());

        Assert.That(error!.Message, Does.Contain(expected));
    }

    [Test]
    public void A_missing_required_value_is_an_error_naming_the_property_and_nested_paths_are_named_in_full()
    {
        var missing = Valid();
        missing.Remove("address");
        var nested = Valid();
        nested["address"] = new Dictionary<string, object?> { ["city"] = 5 };

        Assert.That(Assert.Throws<JobArgsException>(() => missing.As<Order>())!.Message,
            Does.Contain("required property 'Address' (Address) is missing"));
        Assert.That(Assert.Throws<JobArgsException>(() => nested.As<Order>())!.Message,
            Does.Contain("property 'Address.City' holds Int32 5, which cannot be read as String"));
    }

    private static JobArgs Valid() => new()
    {
        ["order_id"] = Guid.NewGuid().ToString(), ["amount"] = 1, ["copies"] = 1, ["tags"] = new List<object?>(),
        ["kind"] = "Normal", ["address"] = new Dictionary<string, object?> { ["city"] = "Oslo" },
    };

    public enum Kind
    {
        Normal,
        Express,
    }

    public sealed record Address(string City);

    public sealed record Order(Guid OrderId, decimal Amount, int Copies, IReadOnlyList<string> Tags, Kind Kind, Address Address, string? Note = null);
}
