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

    /// <summary>Starts an in-process node (it connects to this distributor unless it names others).</summary>
    public ReactorBuilder StartNode(NodeOptions options)
    {
        Steps.Add(h => h.StartNodeAsync(options));
        return this;
    }
}
