using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Reactor.OpenTelemetry;

/// <summary>
/// Subscribes OpenTelemetry to Reactor. Every Reactor process (the app's distributor and workflow
/// engine, each <c>reactor node</c>) reports on a <see cref="System.Diagnostics.Metrics.Meter"/> and
/// an <see cref="System.Diagnostics.ActivitySource"/> both named <see cref="Name"/>; Reactor references
/// no OpenTelemetry package itself, so nothing is collected until an app subscribes like this.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddOpenTelemetry()
///     .WithMetrics(m => m.AddReactorInstrumentation().AddOtlpExporter())
///     .WithTracing(t => t.AddReactorInstrumentation().AddOtlpExporter());
/// </code>
/// </example>
public static class ReactorInstrumentation
{
    /// <summary>The name of Reactor's meter and of its activity source: <c>Reactor</c>.</summary>
    public const string Name = "Reactor";

    /// <summary>
    /// Collects Reactor's metrics: job counters (<c>reactor.jobs.*</c>), job and loop histograms
    /// (<c>reactor.job.duration</c>, <c>reactor.job.queue_wait</c>, <c>reactor.node.loop_lag</c>),
    /// gauges of pending and in-flight work, and workflow and fork/join instruments.
    /// </summary>
    /// <param name="builder">The meter provider being configured.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static MeterProviderBuilder AddReactorInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(Name);
    }

    /// <summary>Collects Reactor's traces: the activities of its <c>Reactor</c> activity source.</summary>
    /// <param name="builder">The tracer provider being configured.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static TracerProviderBuilder AddReactorInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(Name);
    }
}
