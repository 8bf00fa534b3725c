using System.Text.Json;

namespace Reactor.Dashboard.Data;

/// <summary>
/// Reads the snapshot a distributor with a Redis journal publishes every 5 s (see
/// <see cref="DistributorSnapshotJson"/>): how the standalone dashboard sees a distributor that lives in
/// another process. It cannot act on that distributor; deleting records works, retry and cancel do not.
/// </summary>
internal sealed class RedisSnapshotSource(RedisRecords records, string keyPrefix, string distributorName) : IDashboardSource
{
    private readonly string _key = DistributorSnapshotJson.Key(keyPrefix, distributorName);

    public string Description => $"Redis {records.Endpoint} (distributor '{distributorName}')";

    public ReactorDistributor? Distributor => null;

    public async Task<DistributorSnapshot?> SnapshotAsync(CancellationToken cancellationToken)
    {
        var json = await records.ReadStringAsync(_key, cancellationToken).ConfigureAwait(false);
        if (json is null)
        {
            return null;
        }
        try
        {
            return DistributorSnapshotJson.Deserialize(json);
        }
        catch (JsonException)
        {
            // A snapshot written by another version or by hand: show the rest of the page without it.
            return null;
        }
    }
}
