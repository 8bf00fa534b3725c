using System.Text.Json;
using NUnit.Framework;

namespace Reactor.Tests.Unit.Packaging;

/// <summary>
/// An app that only enqueues ships no compiler, no broker client and no YAML parser. Read from the
/// restore graph (obj/project.assets.json, every package and project reached, however indirectly) of
/// tests/Reactor.ClientOnlyApp, which references Reactor.Client and nothing else; the same reading of
/// the add-on packages' graphs must find what they bring, so the check is known to see those packages.
/// </summary>
[TestFixture]
public sealed class DependencyGraphTests
{
    private static readonly string[] Heavy = ["Microsoft.CodeAnalysis", "RabbitMQ.Client", "YamlDotNet"];

    [Test]
    public void An_app_referencing_only_Reactor_Client_has_no_Roslyn_RabbitMQ_or_YamlDotNet()
    {
        var graph = Closure("tests/Reactor.ClientOnlyApp");

        Assert.That(graph, Does.Contain("Reactor.Client").And.Contain("Reactor.Distributor"), "the fixture's graph was read");
        Assert.That(graph.Where(IsHeavy), Is.Empty);
        Assert.That(graph, Does.Not.Contain("Reactor.Node").And.Not.Contain("Reactor.Workflows"));
    }

    [Test]
    public void The_add_on_packages_bring_what_Reactor_Client_leaves_out()
    {
        Assert.That(Closure("src/Reactor.Client.Nodes").Where(IsHeavy), Has.Some.StartsWith("Microsoft.CodeAnalysis"));
        Assert.That(Closure("src/Reactor.Client.Workflows").Where(IsHeavy), Does.Contain("RabbitMQ.Client").And.Contain("YamlDotNet"));
    }

    private static bool IsHeavy(string name) =>
        Heavy.Any(h => name.Equals(h, StringComparison.OrdinalIgnoreCase) || name.StartsWith(h + ".", StringComparison.OrdinalIgnoreCase));

    /// <summary>Names of every package and project in the project's restore graph for its target framework.</summary>
    private static List<string> Closure(string projectDirectory)
    {
        var assets = Path.Combine(RepositoryRoot(), projectDirectory, "obj", "project.assets.json");
        Assert.That(File.Exists(assets), Is.True, $"{assets} is missing: restore the solution first");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        var targets = json.RootElement.GetProperty("targets").EnumerateObject().ToList();
        Assert.That(targets, Has.Count.EqualTo(1), "one target framework, no runtime-specific graph");
        // Keys are "Name/Version".
        return [.. targets[0].Value.EnumerateObject().Select(library => library.Name.Split('/')[0])];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Reactor.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Reactor.sln above {AppContext.BaseDirectory}");
    }
}
