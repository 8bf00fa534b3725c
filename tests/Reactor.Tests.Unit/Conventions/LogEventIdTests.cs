using System.Reflection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Reactor.Storage;
using Reactor.Workflows;

namespace Reactor.Tests.Unit.Conventions;

/// <summary>
/// Every <c>[LoggerMessage]</c> event id is unique within its assembly: dashboards and alerts filter
/// on the id, so two messages sharing one would be counted as one. The attribute stays on the
/// partial method declarations, so reflection finds every source-generated message.
/// </summary>
[TestFixture]
public sealed class LogEventIdTests
{
    // One type per Reactor assembly the tests reference. Reactor.Cli (assembly "reactor") is an
    // executable the unit tests do not reference; it declares a single message.
    private static readonly Type[] Anchors =
    [
        typeof(Reactor.Protocol.Framing.MessageCodec),
        typeof(IJobStore),
        typeof(ReactorDistributor),
        typeof(ReactorNode),
        typeof(WorkflowEngine),
        typeof(JR),
    ];

    private static IEnumerable<TestCaseData> Assemblies() =>
        Anchors.Select(t => t.Assembly).Distinct().Select(a => new TestCaseData(a).SetArgDisplayNames(a.GetName().Name!));

    [TestCaseSource(nameof(Assemblies))]
    public void Log_event_ids_are_unique_within_the_assembly(Assembly assembly)
    {
        // An unset EventId reads as -1 here; two such messages collide too, which is the point: each
        // message declares its own id.
        var duplicates = Messages(assembly)
            .GroupBy(m => m.Id)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}")
            .ToList();

        Assert.That(duplicates, Is.Empty);
    }

    [Test]
    public void The_scan_finds_the_messages_it_checks()
    {
        // Guards the test above against passing on nothing (an attribute no longer kept in metadata).
        var messages = Messages(typeof(ReactorNode).Assembly).ToList();

        Assert.That(messages, Has.Count.GreaterThan(10));
    }

    private static IEnumerable<(int Id, string Name)> Messages(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static
            | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return from type in assembly.GetTypes()
               from method in type.GetMethods(all)
               let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
               where attribute is not null
               select (attribute.EventId, $"{type.FullName}.{method.Name}");
    }
}
