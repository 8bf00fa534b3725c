namespace Reactor.Protocol;

/// <summary>
/// The rule every shared secret (protocol.md section 7.1) must meet, checked where a secret is
/// configured so that a weak one fails at startup instead of being accepted on the wire.
/// </summary>
public static class SharedSecret
{
    /// <summary>
    /// Fewest characters a secret may have, not counting leading or trailing whitespace: 16. An empty
    /// secret would let any peer prove it, and a short one falls to guessing proofs offline.
    /// </summary>
    public const int MinLength = 16;

    /// <summary>Why <paramref name="secret"/> is not acceptable, or null when it is (null means "no secret").</summary>
    public static string? Check(string? secret)
    {
        if (secret is null)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(secret))
        {
            return "Secret must not be empty or whitespace (leave it unset for no secret)";
        }
        return secret.Trim().Length < MinLength
            ? $"Secret must be at least {MinLength} characters, not counting surrounding whitespace (e.g. 32 random hex digits)"
            : null;
    }
}
