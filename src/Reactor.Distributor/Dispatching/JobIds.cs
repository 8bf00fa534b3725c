using System.Globalization;
using System.Security.Cryptography;

namespace Reactor.Distributor;

/// <summary>
/// Job ids: a 96-bit random prefix drawn once per distributor instance, then a counter. Unique
/// across processes and restarts (a new prefix each time) without a random draw per job, and never
/// derived from the clock (JobReactor's time-based ids collided).
/// </summary>
internal sealed class JobIds
{
    private readonly string _prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private long _next;

    public string Next() => string.Create(CultureInfo.InvariantCulture, $"{_prefix}{Interlocked.Increment(ref _next):x8}");
}
