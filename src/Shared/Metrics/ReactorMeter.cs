using System.Diagnostics.Metrics;
using System.Reflection;

namespace Reactor.Metrics;

/// <summary>
/// The one meter name every Reactor process reports under, and the tag keys its instruments use.
/// Compiled into each layer that measures (distributor, node, workflows): each creates its own
/// <see cref="Meter"/> instance named <see cref="Name"/> with instruments no other layer creates,
/// so a listener subscribed to "Reactor" sees all of them, in one process or several.
/// </summary>
internal static class ReactorMeter
{
    public const string Name = "Reactor";

    // Attribute keys follow OpenTelemetry naming (namespaced, lower case, dot separated); Prometheus
    // turns them into labels such as reactor_job_name.
    public const string JobNameTag = "reactor.job.name";
    public const string NodeNameTag = "reactor.node.name";
    public const string OutcomeTag = "reactor.job.outcome";
    public const string StorageTag = "reactor.storage";
    public const string WorkflowTag = "reactor.workflow.name";
    public const string StepTag = "reactor.workflow.step";

    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>Most distinct job names one component reports before the rest go to <c>other</c>.</summary>
    public const int MaxJobNames = 1000;

    /// <summary>Bucket bounds in seconds for job-scale durations: 1 ms to 5 minutes.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    /// <summary>Bucket bounds in seconds for the reactor loop's lateness: 100 µs to 10 s.</summary>
    public static readonly IReadOnlyList<double> LagBuckets =
        [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

    private static readonly string? Version =
        typeof(ReactorMeter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static Meter Create() => new(Name, Version);

    public static InstrumentAdvice<double> Buckets(IReadOnlyList<double> bounds) => new() { HistogramBucketBoundaries = bounds };
}
