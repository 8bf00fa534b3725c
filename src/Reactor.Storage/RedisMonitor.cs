using Microsoft.Extensions.Logging;
using Reactor.Storage;
using Reactor.Storage.Redis;

namespace Reactor;

/// <summary>
/// Looks at and cleans up the jobs nodes keep in Redis, for a person at a REPL or the
/// <c>reactor monitor</c> commands:
/// <code>
/// var monitor = await RedisMonitor.ConnectAsync("localhost:6379");
/// Console.WriteLine(RedisMonitor.FormatTable(monitor.JobsFor("worker_1")));
/// </code>
/// The synchronous methods block on their async twins; use the twins from async code. Records that
/// cannot be read are left out and reported to the logger given to <see cref="ConnectAsync"/>.
/// </summary>
public sealed partial class RedisMonitor : IAsyncDisposable, IDisposable
{
    private readonly RedisJobStore _store;

    private RedisMonitor(RedisJobStore store) => _store = store;

    /// <summary>
    /// Connects to the Redis at <paramref name="address"/> (<c>host:port</c> or <c>redis://...</c>) whose
    /// keys start with <paramref name="keyPrefix"/>. Throws <see cref="InvalidOperationException"/> when
    /// Redis is unreachable and <see cref="ArgumentException"/> for a malformed address.
    /// </summary>
    public static async Task<RedisMonitor> ConnectAsync(string address, string keyPrefix = "reactor", ILogger? logger = null)
    {
        var options = new RedisJobStoreOptions { KeyPrefix = keyPrefix };
        return new RedisMonitor(await RedisJobStore.ConnectAsync(address, options, logger).ConfigureAwait(false));
    }

    /// <summary>
    /// The string stored at <paramref name="key"/> (a full key, prefix included), or null when there is
    /// none: how <c>reactor monitor nodes</c> reads a distributor's published snapshot.
    /// </summary>
    public async Task<string?> ReadStringAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var value = await _store.Database.StringGetAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : value.ToString();
    }

    /// <summary>The blocking form of <see cref="ConnectAsync"/>.</summary>
    public static RedisMonitor Connect(string address, string keyPrefix = "reactor", ILogger? logger = null) =>
        Wait(ConnectAsync(address, keyPrefix, logger));

    /// <summary>Every job held for <paramref name="node"/>.</summary>
    public IReadOnlyList<JobRecord> JobsFor(string node) => Wait(JobsForAsync(node));

    /// <summary>Every job held for <paramref name="node"/>.</summary>
    public async Task<IReadOnlyList<JobRecord>> JobsForAsync(string node, CancellationToken cancellationToken = default) =>
        await _store.JobsForAsync(node, cancellationToken).ConfigureAwait(false);

    /// <summary>The job with this id, or null.</summary>
    public JobRecord? Load(string id) => Wait(LoadAsync(id));

    /// <summary>The job with this id, or null.</summary>
    public async Task<JobRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) =>
        await _store.LoadAsync(id, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Removes the job's record; true when there was one. A node that is running the job finishes that
    /// attempt, but the job is not retried after a restart.
    /// </summary>
    public bool Destroy(string id) => Wait(DestroyAsync(id));

    /// <summary>The async form of <see cref="Destroy"/>.</summary>
    public async Task<bool> DestroyAsync(string id, CancellationToken cancellationToken = default) =>
        await _store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);

    /// <summary>Removes every job record of <paramref name="node"/>; returns how many.</summary>
    public int DestroyAllJobsFor(string node) => Wait(DestroyAllJobsForAsync(node));

    /// <summary>The async form of <see cref="DestroyAllJobsFor"/>.</summary>
    public async Task<int> DestroyAllJobsForAsync(string node, CancellationToken cancellationToken = default) =>
        await _store.DeleteAllForAsync(node, cancellationToken).ConfigureAwait(false);

    /// <summary>How many of the node's jobs are in each status; every status is present, zeros included.</summary>
    public IReadOnlyDictionary<JobStatus, int> CountsByStatus(string node) => Wait(CountsByStatusAsync(node));

    /// <summary>The async form of <see cref="CountsByStatus"/>.</summary>
    public async Task<IReadOnlyDictionary<JobStatus, int>> CountsByStatusAsync(string node, CancellationToken cancellationToken = default)
    {
        var counts = Enum.GetValues<JobStatus>().ToDictionary(status => status, _ => 0);
        foreach (var job in await JobsForAsync(node, cancellationToken).ConfigureAwait(false))
        {
            counts[job.Status] = counts.GetValueOrDefault(job.Status) + 1;
        }
        return counts;
    }

    /// <summary>The node's jobs whose last attempt failed, most recent failure first, with their errors.</summary>
    public IReadOnlyList<JobRecord> Failed(string node) => Wait(FailedAsync(node));

    /// <summary>The async form of <see cref="Failed"/>.</summary>
    public async Task<IReadOnlyList<JobRecord>> FailedAsync(string node, CancellationToken cancellationToken = default) =>
        (await JobsForAsync(node, cancellationToken).ConfigureAwait(false))
            .Where(job => job.Status == JobStatus.Failed)
            .OrderByDescending(job => job.FailedAt ?? DateTimeOffset.MinValue)
            .ToList();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _store.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _store.DisposeAsync().AsTask().GetAwaiter().GetResult();

    // Safe from a REPL's synchronization context: nothing below resumes on the caller's context.
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
