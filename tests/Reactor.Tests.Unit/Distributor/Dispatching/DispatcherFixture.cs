using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Distributor;
using Reactor.Distributor.Metrics;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

/// <summary>
/// A dispatcher with no sockets: nodes are <see cref="FakeNodeSender"/>s and time is a
/// <see cref="FakeTimeProvider"/>, so routing decisions are tested one call at a time.
/// </summary>
public abstract class DispatcherFixture
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private DistributorMetrics? _metrics;
    private int _nextId;

    private protected FakeTimeProvider Time { get; private set; } = null!;

    private protected DistributorOptions Options { get; private set; } = null!;

    private protected Dispatcher Dispatcher { get; private set; } = null!;

    [SetUp]
    public void CreateDispatcher()
    {
        Time = new FakeTimeProvider(Start);
        Options = new DistributorOptions { PendingTimeout = TimeSpan.FromMinutes(5), UnknownJobTimeout = TimeSpan.FromSeconds(30) };
        Configure(Options);
        _metrics = new DistributorMetrics(Time, NullLogger.Instance);
        Dispatcher = new Dispatcher(Options, Time, _metrics);
        _nextId = 0;
    }

    [TearDown]
    public void DisposeMetrics() => _metrics?.Dispose();

    /// <summary>Options to set before the dispatcher is built.</summary>
    private protected virtual void Configure(DistributorOptions options)
    {
    }

    /// <summary>Joins a node that runs <paramref name="jobNames"/> (default: "work") with <paramref name="capacity"/> credit.</summary>
    private protected (NodeSlot Slot, FakeNodeSender Sender) Join(string name, int capacity = 10, string[]? jobNames = null,
        string storage = "memory", List<string>? log = null)
    {
        var sender = new FakeNodeSender(name, log);
        var slot = new NodeSlot(name, jobNames ?? ["work"], capacity, storage, Time.GetUtcNow(), sender);
        Assert.That(Dispatcher.TryJoin(slot, () => log?.Add($"{name} welcome")), Is.True, $"{name} joins");
        return (slot, sender);
    }

    /// <summary>A job as Enqueue builds it: a fresh id, waiting at most <paramref name="timeout"/> (default PendingTimeout).</summary>
    private protected JobEnvelope Job(string name = "work", string? node = null, string? notNode = null, TimeSpan? timeout = null,
        int maxDispatches = 0) =>
        new(new Dispatch($"j{++_nextId}", name, new JobArgs(), 0, 0, false, 1, 0, 0), node, notNode,
            Time.GetUtcNow() + (timeout ?? Options.PendingTimeout))
        {
            MaxDispatches = maxDispatches,
        };

    /// <summary>Submits jobs and returns them.</summary>
    private protected List<JobEnvelope> Submit(int count, string name = "work", string? node = null, string? notNode = null)
    {
        var jobs = new List<JobEnvelope>();
        for (var i = 0; i < count; i++)
        {
            var job = Job(name, node, notNode);
            Dispatcher.Submit(job);
            jobs.Add(job);
        }
        return jobs;
    }

    private protected static List<string> Ids(IEnumerable<JobEnvelope> jobs) => jobs.Select(j => j.Id).ToList();
}
