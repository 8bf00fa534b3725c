using System.Diagnostics;
using System.Globalization;

namespace Reactor.Tests.Integration.Services;

/// <summary>
/// A real three-node RabbitMQ cluster on this machine: three <c>rabbitmq-server</c> nodes with their own
/// node names, AMQP and distribution ports, data directories and one shared Erlang cookie, joined with
/// <c>rabbitmqctl join_cluster</c>. A node takes ~15 s to boot, so the three boot in parallel and one
/// cluster serves the whole test run (started by the first test that asks, stopped at the end).
/// Needs the rabbitmq-server package (./test.sh installs it); <c>REACTOR_TEST_RABBITMQ_BIN</c> names its
/// scripts' directory when it is not <c>/usr/lib/rabbitmq/bin</c>.
/// </summary>
internal sealed class RabbitMqClusterProcess : IAsyncDisposable
{
    public const string BinVariable = "REACTOR_TEST_RABBITMQ_BIN";

    private static readonly Lazy<Task<RabbitMqClusterProcess>> Shared = new(() => StartAsync(3));

    private readonly string _dir;
    private readonly string _bin;
    private readonly List<BrokerNode> _nodes = [];

    private RabbitMqClusterProcess(string dir, string bin)
    {
        _dir = dir;
        _bin = bin;
    }

    public IReadOnlyList<BrokerNode> Nodes => _nodes;

    /// <summary>The cluster this test run shares.</summary>
    public static Task<RabbitMqClusterProcess> SharedAsync() => Shared.Value;

    /// <summary>Stops the shared cluster, if one was started.</summary>
    public static async Task StopSharedAsync()
    {
        if (Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully)
        {
            await Shared.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One AMQP URI per node, comma-separated, starting with node <paramref name="first"/>.</summary>
    public string Uris(int first = 0) =>
        string.Join(",", Enumerable.Range(0, _nodes.Count).Select(i => _nodes[(first + i) % _nodes.Count].Uri));

    public static async Task<RabbitMqClusterProcess> StartAsync(int size)
    {
        var bin = Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } configured ? configured : "/usr/lib/rabbitmq/bin";
        if (!File.Exists(Path.Combine(bin, "rabbitmq-server")))
        {
            throw new InvalidOperationException(
                $"This test runs a 3-node RabbitMQ cluster and found no rabbitmq-server in {bin}. Install rabbitmq-server (./test.sh does) or set {BinVariable}.");
        }
        var dir = Path.Combine(Path.GetTempPath(), "reactor-rmq-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        var home = Path.Combine(dir, "home");
        Directory.CreateDirectory(home);
        // One cookie for the nodes and the CLI: only processes with it may talk to the cluster.
        var cookie = Path.Combine(home, ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }
        var cluster = new RabbitMqClusterProcess(dir, bin);
        try
        {
            var tag = Guid.NewGuid().ToString("N")[..6];
            for (var i = 0; i < size; i++)
            {
                cluster._nodes.Add(BrokerNode.Launch(cluster, $"reactor-cl-{tag}-{i + 1}@localhost", Path.Combine(dir, $"node{i + 1}"), home));
            }
            await Task.WhenAll(cluster._nodes.Select(n => n.AwaitStartupAsync()));
            var first = cluster._nodes[0];
            foreach (var node in cluster._nodes.Skip(1))
            {
                await node.CtlAsync("stop_app");
                await node.CtlAsync("join_cluster", first.Name);
                await node.CtlAsync("start_app");
                await node.AwaitStartupAsync();
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.KillAsync();
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>One broker node of the cluster.</summary>
    internal sealed class BrokerNode
    {
        private readonly RabbitMqClusterProcess _cluster;
        private readonly Dictionary<string, string> _environment;
        private readonly string _dir;
        private Process? _process;

        private BrokerNode(RabbitMqClusterProcess cluster, string name, int port, string dir, Dictionary<string, string> environment)
        {
            _cluster = cluster;
            Name = name;
            Port = port;
            _dir = dir;
            _environment = environment;
        }

        public string Name { get; }

        public int Port { get; }

        public string Uri => $"amqp://guest:guest@127.0.0.1:{Port}/";

        public static BrokerNode Launch(RabbitMqClusterProcess cluster, string name, string dir, string home)
        {
            var port = RedisServerProcess.FreePort();
            var distPort = RedisServerProcess.FreePort();
            foreach (var sub in new[] { "mnesia", "log", "conf.d" })
            {
                Directory.CreateDirectory(Path.Combine(dir, sub));
            }
            File.WriteAllText(Path.Combine(dir, "enabled_plugins"), "[].");
            File.WriteAllText(Path.Combine(dir, "rabbitmq.conf"), "");
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["RABBITMQ_NODENAME"] = name,
                ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
                ["RABBITMQ_NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["RABBITMQ_DIST_PORT"] = distPort.ToString(CultureInfo.InvariantCulture),
                ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
                ["RABBITMQ_CTL_DIST_PORT_MIN"] = "0",
                ["RABBITMQ_CTL_DIST_PORT_MAX"] = "0",
                ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dir, "mnesia"),
                ["RABBITMQ_LOG_BASE"] = Path.Combine(dir, "log"),
                ["RABBITMQ_PID_FILE"] = Path.Combine(dir, "rabbitmq.pid"),
                ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dir, "enabled_plugins"),
                ["RABBITMQ_CONFIG_FILE"] = Path.Combine(dir, "rabbitmq.conf"),
                ["RABBITMQ_CONFIG_FILES"] = Path.Combine(dir, "conf.d"),
                ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(dir, "advanced.config"),
                ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(dir, "rabbitmq-env.conf"),
                ["ERL_CRASH_DUMP"] = Path.Combine(dir, "erl_crash.dump"),
            };
            var node = new BrokerNode(cluster, name, port, dir, environment);
            node.Start();
            return node;
        }

        /// <summary>Boots the node (again, after <see cref="StopAsync"/>).</summary>
        public void Start()
        {
            var start = new ProcessStartInfo(Path.Combine(_cluster._bin, "rabbitmq-server"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = _dir,
            };
            foreach (var (key, value) in _environment)
            {
                start.Environment[key] = value;
            }
            _process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start");
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public async Task AwaitStartupAsync()
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
            while (true)
            {
                try
                {
                    await CtlAsync("await_startup", "--timeout", "30");
                    return;
                }
                catch (InvalidOperationException) when (DateTime.UtcNow < deadline && _process is { HasExited: false })
                {
                    await Task.Delay(500);
                }
            }
        }

        /// <summary>Stops the whole node (rabbitmqctl shutdown): its connections drop, its replicas go offline.</summary>
        public async Task StopAsync()
        {
            await CtlAsync("shutdown");
            if (_process is { } process)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await process.WaitForExitAsync(timeout.Token);
            }
        }

        public async Task KillAsync()
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        /// <summary>Runs rabbitmqctl against this node; throws with its output when it fails.</summary>
        public async Task<string> CtlAsync(params string[] arguments)
        {
            var start = new ProcessStartInfo(Path.Combine(_cluster._bin, "rabbitmqctl"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (key, value) in _environment)
            {
                start.Environment[key] = value;
            }
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(Name);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmqctl did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"rabbitmqctl -n {Name} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
            }
            return await output;
        }
    }
}
