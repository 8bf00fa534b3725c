using StackExchange.Redis;

namespace Reactor.Distributor.Durability;

/// <summary>
/// A batch's state in Redis (<see cref="DistributorKeys.Batch"/>): outcome counters, and once its feedback was
/// claimed, the total it was claimed with (<see cref="ClaimedTotal"/>).
/// </summary>
internal sealed record BatchCounters(string Id, int Succeeded, int Failed, int Cancelled, int? ClaimedTotal)
{
    /// <summary>
    /// Writes the total and the claim unless the batch was claimed already (then nil); returns the counters.
    /// One script, so two processes can never both claim one batch.
    /// </summary>
    public const string ClaimScript = """
        if redis.call('HEXISTS', KEYS[1], 'done') == 1 then return false end
        redis.call('HSET', KEYS[1], 'total', ARGV[1], 'done', '1')
        return redis.call('HMGET', KEYS[1], 's', 'f', 'c')
        """;

    /// <summary>Jobs of the batch whose outcome Redis counted.</summary>
    public int Counted => Succeeded + Failed + Cancelled;

    /// <summary>The counter a job's final outcome goes to, by the same rule as <see cref="BatchResult"/>.</summary>
    public static string Field(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Succeeded => "s",
        JobOutcome.Cancelled => "c",
        _ => "f",
    };

    /// <summary>A counter's value; a missing one is 0.</summary>
    public static int Read(RedisValue value) => value.IsNull ? 0 : (int)value;
}
