namespace Reactor;

/// <summary>What <see cref="JR.Run"/> should start, in order.</summary>
public sealed class ReactorBuilder
{
    internal List<Func<ReactorHost, Task>> Steps { get; } = [];

    /// <summary>Starts the distributor on <paramref name="host"/>:<paramref name="port"/>.</summary>
    public ReactorBuilder StartDistributor(string host, int port, Action<DistributorOptions>? configure = null)
    {
        Steps.Add(h => h.StartDistributorAsync(host, port, configure));
        return this;
    }

    /// <summary>
    /// Adds a step run after the ones before it, on the host <see cref="JR.Run"/> creates; the host is
    /// ready once every step completed. Add-on packages build their <c>Start…</c> methods on this
    /// (e.g. <c>StartNode</c> in <c>Reactor.Client.Nodes</c>).
    /// </summary>
    public ReactorBuilder Then(Func<ReactorHost, Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        Steps.Add(step);
        return this;
    }
}
