using System.Security.Cryptography;
using System.Text;

namespace Reactor.Protocol.Flows;

/// <summary>
/// Deterministic ids of published tasks. A child's id is <c>{runId}:{hash}</c>: the run (the root
/// publish's id, which has no ':') stays readable in every descendant, and the hash of
/// (parent id, publish index) keeps ids short however deep the chain goes. Public because the node
/// derives ids with it and the distributor groups a run's jobs by <see cref="RunOf"/>.
/// </summary>
public static class FlowIds
{
    /// <summary>Separates the run id from a descendant's hash.</summary>
    public const char Separator = ':';

    /// <summary>The run a job belongs to: the part of its id before the first ':', or the whole id for a root.</summary>
    public static string RunOf(string jobId)
    {
        var at = jobId.IndexOf(Separator, StringComparison.Ordinal);
        return at < 0 ? jobId : jobId[..at];
    }

    /// <summary>The id of what <paramref name="parentJobId"/> published at <paramref name="index"/>.</summary>
    public static string Child(string parentJobId, int index, string kind = "next") =>
        RunOf(parentJobId) + Separator + Hash($"{kind}\n{parentJobId}\n{index}");

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 12));
}
