namespace Reactor.Tests.Integration.Support;

/// <summary>
/// Keeps node processes running the way systemd or Kubernetes would: when one exits, it is started
/// again under the same name. Counts the deaths.
/// </summary>
internal sealed class Supervisor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _watchers = [];
    private readonly string _distributor;
    private readonly string _jobsDirectory;
    private readonly string[] _extraArgs;
    private readonly List<NodeProcess> _all = [];
    private int _deaths;

    public Supervisor(string distributor, string jobsDirectory, params string[] extraArgs)
    {
        _distributor = distributor;
        _jobsDirectory = jobsDirectory;
        _extraArgs = ["--log-job-processing", "false", "--log-level", "Warning", .. extraArgs];
    }

    /// <summary>How many supervised processes exited (each was restarted).</summary>
    public int Deaths => Volatile.Read(ref _deaths);

    public void Keep(string name) => _watchers.Add(Task.Run(() => WatchAsync(name)));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_watchers);
        List<NodeProcess> all;
        lock (_all)
        {
            all = [.. _all];
        }
        foreach (var process in all)
        {
            await process.DisposeAsync();
        }
        _stopping.Dispose();
    }

    private async Task WatchAsync(string name)
    {
        while (!_stopping.IsCancellationRequested)
        {
            var process = NodeProcess.Start(name, _distributor, _jobsDirectory, _extraArgs);
            lock (_all)
            {
                _all.Add(process);
            }
            try
            {
                await process.WaitForExitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Increment(ref _deaths);
        }
    }
}
