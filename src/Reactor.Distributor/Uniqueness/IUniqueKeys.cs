namespace Reactor.Distributor.Uniqueness;

/// <summary>
/// Who holds each <c>EnqueueOptions.UniqueKey</c>. A claim either takes the key for a job or names the job
/// that holds it; a key is released by its holder, or expires after <c>UniqueFor</c> whatever happened
/// to the holder.
/// </summary>
internal interface IUniqueKeys
{
    /// <summary>Takes <paramref name="key"/> for <paramref name="jobId"/> for <paramref name="ttl"/>; returns null when taken, else the holder's id.</summary>
    string? Claim(string key, string jobId, TimeSpan ttl);

    /// <inheritdoc cref="Claim"/>
    Task<string?> ClaimAsync(string key, string jobId, TimeSpan ttl);

    /// <summary>Frees <paramref name="key"/> if <paramref name="jobId"/> still holds it (a key that expired and was taken by another job stays taken).</summary>
    void Release(string key, string jobId);
}
