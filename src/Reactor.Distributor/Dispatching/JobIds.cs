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

    public string Next() => Format(Interlocked.Increment(ref _next));

    /// <summary>Reserves <paramref name="count"/> consecutive ids and returns the first one's number (see <see cref="Format"/>).</summary>
    public long Reserve(int count) => Interlocked.Add(ref _next, count) - count + 1;

    /// <summary>The id numbered <paramref name="number"/>, as <see cref="Next"/> writes it.</summary>
    public string Format(long number) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}{number:x8}");
}
