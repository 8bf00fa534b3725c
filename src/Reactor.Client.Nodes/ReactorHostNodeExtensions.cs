namespace Reactor;

/// <summary>
/// In-process nodes on a <see cref="ReactorHost"/>: for small apps and tests that run jobs in the app's
/// own process. Production apps usually run <c>reactor node</c> processes instead (see <see cref="NodeProcess"/>).
/// </summary>
public static class ReactorHostNodeExtensions
{
    extension(ReactorHost host)
    {
        /// <summary>Nodes started in this process by <see cref="StartNodeAsync"/>, in start order.</summary>
        public IReadOnlyList<ReactorNode> Nodes => [.. host.Components.OfType<ReactorNode>()];

        /// <summary>
        /// Starts a node in this process. With no distributor address it connects to this host's
        /// distributor. The host stops it when disposed (before the distributor).
        /// </summary>
        public async Task<ReactorNode> StartNodeAsync(NodeOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (options.Distributors.Count == 0)
            {
                options.Distributors.Add($"127.0.0.1:{host.Distributor.Port}");
            }
            var node = new ReactorNode(options, host.LoggerFactory, host.TimeProvider);
            await node.StartAsync().ConfigureAwait(false);
            host.AddComponent(node);
            return node;
        }
    }

    extension(ReactorBuilder builder)
    {
        /// <summary>Starts an in-process node (it connects to this distributor unless it names others).</summary>
        public ReactorBuilder StartNode(NodeOptions options) => builder.Then(h => h.StartNodeAsync(options));
    }
}
