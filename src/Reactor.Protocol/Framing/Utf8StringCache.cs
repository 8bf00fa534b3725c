using System.Text;
using MessagePack;

namespace Reactor.Protocol.Framing;

/// <summary>
/// Decodes strings that repeat across messages (job names, args keys) once: later reads of the same
/// bytes return the same string instead of a new allocation per message. Bounded, so a peer sending
/// endless distinct strings only fills it; copy-on-write, so readers on several connections share it
/// without a lock (a lost insert only costs a decode).
/// </summary>
internal sealed class Utf8StringCache(int capacity, int maxLength)
{
    private volatile (byte[] Utf8, string Value)[] _entries = [];

    /// <summary>Reads a string (or nil) from <paramref name="reader"/>.</summary>
    public string? Read(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        if (!reader.TryReadStringSpan(out var utf8))
        {
            return reader.ReadString();
        }
        var entries = _entries;
        foreach (var (known, value) in entries)
        {
            if (utf8.SequenceEqual(known))
            {
                return value;
            }
        }
        var decoded = Encoding.UTF8.GetString(utf8);
        if (entries.Length < capacity && utf8.Length <= maxLength)
        {
            _entries = [.. entries, (utf8.ToArray(), decoded)];
        }
        return decoded;
    }
}
