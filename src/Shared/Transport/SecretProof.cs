using System.Security.Cryptography;
using System.Text;

namespace Reactor.Transport;

/// <summary>
/// The shared-secret proof of protocol.md section 7.1: HMAC-SHA256 keyed with the UTF-8 secret over
/// the Greeting's nonce followed by the UTF-8 node name. The node computes it, the distributor checks it.
/// </summary>
internal static class SecretProof
{
    public static byte[] Compute(string secret, byte[] nonce, string nodeName)
    {
        byte[] data = [.. nonce, .. Encoding.UTF8.GetBytes(nodeName)];
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data);
    }

    /// <summary>Whether <paramref name="proof"/> is the right one, compared in constant time.</summary>
    public static bool Verify(string secret, byte[] nonce, string nodeName, byte[]? proof) =>
        proof is not null && CryptographicOperations.FixedTimeEquals(Compute(secret, nonce, nodeName), proof);
}
