using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reactor.Health;

/// <summary>
/// Healthy when the node's link to every distributor is up, a probe posted to its reactor loop runs
/// within <see cref="ReactorHealthCheckOptions.MaxLoopLag"/>, and its job storage answers (Redis).
/// A link that is down is described with the distributor's address and the last error.
/// </summary>
public sealed class NodeHealthCheck(ReactorNode node, ReactorHealthCheckOptions? options = null) : IHealthCheck
{
    private readonly ReactorHealthCheckOptions _options = options ?? new ReactorHealthCheckOptions();

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        var links = node.GetLinkStatus();
        foreach (var link in links.Where(l => !l.Connected))
        {
            problems.Add(link.LastError is null
                ? $"distributor {link.Address}: not connected yet"
                : $"distributor {link.Address} unreachable: {link.LastError}");
        }
        var data = new Dictionary<string, object> { ["distributors"] = links.Count, ["connected"] = links.Count(l => l.Connected) };
        try
        {
            var lag = await node.MeasureLoopLagAsync(cancellationToken).WaitAsync(_options.MaxLoopLag, cancellationToken).ConfigureAwait(false);
            data["loopLagMs"] = Math.Round(lag.TotalMilliseconds, 1);
        }
        catch (TimeoutException)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"the reactor loop did not run a probe within {_options.MaxLoopLag.TotalSeconds:0.###} s (MaxLoopLag): job code blocks it or it is overloaded"));
        }
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.StorageTimeout);
            if (await node.CheckStorageAsync(timeout.Token).ConfigureAwait(false) is { } storage)
            {
                problems.Add(storage);
            }
        }
        return problems.Count == 0
            ? HealthCheckResult.Healthy($"node {node.Name}: {links.Count} distributor links up", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"node {node.Name}: " + string.Join("; ", problems), data: data);
    }
}
