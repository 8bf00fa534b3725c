using System.Globalization;

namespace Reactor.Bench;

/// <summary>Command line: <c>--scenario NAME [--jobs N] [--storage memory|redis] [--redis ADDR] [--peer hangfire] [--json]</c> and more (docs/benchmarks.md).</summary>
internal sealed class BenchOptions
{
    public static readonly string[] Scenarios = ["burst", "roundtrip", "timers", "periodic"];

    /// <summary>Scenarios that run only when named: they take minutes or start several nodes.</summary>
    public static readonly string[] LongScenarios = ["sustained", "multinode", "scale"];

    public string Scenario { get; private set; } = "all";

    /// <summary>Jobs (or iterations) per scenario; null means the scenario's default.</summary>
    public int? Jobs { get; private set; }

    /// <summary>Jobs for the peer when it cannot do the full count in reasonable time; null means as many as Reactor.</summary>
    public int? PeerJobs { get; private set; }

    public string Storage { get; private set; } = "memory";

    /// <summary>Redis address; null starts a private redis-server for the run.</summary>
    public string? Redis { get; private set; }

    public string? Peer { get; private set; }

    public bool Json { get; private set; }

    /// <summary>Node credit window (<c>reactor node --capacity</c>); null keeps the node's default.</summary>
    public int? Capacity { get; private set; }

    /// <summary>Hangfire worker count; default 2 × cores.</summary>
    public int PeerWorkers { get; private set; } = 2 * Environment.ProcessorCount;

    /// <summary>Seconds the periodic scenario runs.</summary>
    public int Seconds { get; private set; } = 6;

    /// <summary>Seconds between the start of the timers scenario and its first due job; null picks one from the job count.</summary>
    public int? Lead { get; private set; }

    /// <summary>The distributor's Redis journal: null (none), "durable" (Enqueue waits for Redis) or "async" (DurableEnqueue off).</summary>
    public string? Journal { get; private set; }

    /// <summary>Listen to the Reactor activity source, sampling every span, in the bench and node processes.</summary>
    public bool Trace { get; private set; }

    /// <summary>Threads that enqueue the burst at once.</summary>
    public int Enqueuers { get; private set; } = 1;

    /// <summary>
    /// An OpenTelemetry SDK MeterProvider listens to Reactor's meter in this process, and each node serves
    /// Prometheus metrics (so its SDK aggregates every measurement): the cost of instrumentation with a listener.
    /// </summary>
    public bool Otel { get; private set; }

    /// <summary>Jobs per second the sustained scenario sends.</summary>
    public int Rate { get; private set; } = 30_000;

    /// <summary>Seconds the sustained scenario runs.</summary>
    public int Duration { get; private set; } = 300;

    /// <summary>Node process counts the multinode scenario runs the burst with.</summary>
    public IReadOnlyList<int> NodeCounts { get; private set; } = [1, 2, 4];

    /// <summary>Application process counts the scale scenario runs (each with its own distributor).</summary>
    public IReadOnlyList<int> AppCounts { get; private set; } = [1, 2, 4];

    /// <summary>Redis deployments the scale scenario runs against: <c>single</c> and/or <c>cluster</c> (3 masters).</summary>
    public IReadOnlyList<string> Backends { get; private set; } = ["single", "cluster"];

    /// <summary>Concurrent <c>EnqueueAsync</c> loops per application process in the scale scenario.</summary>
    public int Inflight { get; private set; } = 64;

    /// <summary>Redis address of the journal, set by the program once it knows it.</summary>
    public string? JournalAddress { get; set; }

    public IEnumerable<string> SelectedScenarios => Scenario == "all" ? Scenarios : [Scenario];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--scenario": options.Scenario = Value(); break;
                case "--jobs": options.Jobs = Number(Value()); break;
                case "--peer-jobs": options.PeerJobs = Number(Value()); break;
                case "--storage": options.Storage = Value(); break;
                case "--redis": options.Redis = Value(); break;
                case "--peer": options.Peer = Value(); break;
                case "--json": options.Json = true; break;
                case "--trace": options.Trace = true; break;
                case "--capacity": options.Capacity = Number(Value()); break;
                case "--peer-workers": options.PeerWorkers = Number(Value()); break;
                case "--seconds": options.Seconds = Number(Value()); break;
                case "--lead": options.Lead = Number(Value()); break;
                case "--journal": options.Journal = Value(); break;
                case "--enqueuers": options.Enqueuers = Number(Value()); break;
                case "--otel": options.Otel = true; break;
                case "--rate": options.Rate = Number(Value()); break;
                case "--duration": options.Duration = Number(Value()); break;
                case "--nodes": options.NodeCounts = [.. Value().Split(',').Select(Number)]; break;
                case "--apps": options.AppCounts = [.. Value().Split(',').Select(Number)]; break;
                case "--backends": options.Backends = [.. Value().Split(',')]; break;
                case "--inflight": options.Inflight = Number(Value()); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (options.Scenario != "all" && !Scenarios.Contains(options.Scenario) && !LongScenarios.Contains(options.Scenario))
        {
            throw new ArgumentException($"--scenario must be one of {string.Join(", ", Scenarios.Concat(LongScenarios))} or all");
        }
        if (options.Storage is not ("memory" or "redis"))
        {
            throw new ArgumentException("--storage must be memory or redis");
        }
        if (options.Journal is not (null or "durable" or "async"))
        {
            throw new ArgumentException("--journal must be durable or async");
        }
        if (options.Backends.Any(b => b is not ("single" or "cluster")))
        {
            throw new ArgumentException("--backends takes single, cluster or single,cluster");
        }
        if (options.Peer is not (null or "hangfire"))
        {
            throw new ArgumentException("--peer must be hangfire");
        }
        return options;
    }

    private static int Number(string text) =>
        int.TryParse(text.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal),
            NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"'{text}' is not a positive number");
}
