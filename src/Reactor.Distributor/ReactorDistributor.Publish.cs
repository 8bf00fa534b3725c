using Microsoft.Extensions.Logging;

namespace Reactor;

// With a Redis journal: the snapshot is published to Redis for `reactor monitor nodes`, which runs in
// another process and cannot reach the distributor's memory.
public sealed partial class ReactorDistributor
{
    /// <summary>How often the snapshot is rewritten; it expires after three missed rewrites.</summary>
    internal static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(5);

    private ITimer? _publisher;
    private int _publishing;

    private void PublishSnapshot()
    {
        if (_journal is not { } journal || Interlocked.Exchange(ref _publishing, 1) == 1)
        {
            // A write still in flight (Redis slow): skip this round rather than pile up writes.
            return;
        }
        string json;
        try
        {
            json = DistributorSnapshotJson.Serialize(GetSnapshot());
        }
        catch
        {
            Volatile.Write(ref _publishing, 0);
            throw;
        }
        _ = journal.Database.StringSetAsync(journal.SnapshotKey, json, SnapshotInterval * 3).ContinueWith(t =>
        {
            Volatile.Write(ref _publishing, 0);
            if (t.IsFaulted)
            {
                LogSnapshotNotPublished(_logger, t.Exception!.GetBaseException().Message);
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    [LoggerMessage(EventId = 413, Level = LogLevel.Debug, Message = "Could not publish the snapshot to Redis: {Reason}")]
    private static partial void LogSnapshotNotPublished(ILogger logger, string reason);
}
