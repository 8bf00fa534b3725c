using System.Buffers.Binary;
using Reactor.Protocol.Framing;
using Reactor.Tests.Unit.Protocol;

namespace Reactor.Tests.Integration.Support;

/// <summary>
/// Seeded mutations of the golden frames of docs/protocol.md: random and boundary bytes, integers that
/// overflow their field, truncations, insertions and bad length prefixes. Almost always the length
/// prefix is fixed up so the mutated body reaches the decoder instead of failing at the framing layer.
/// </summary>
internal static class FrameMutator
{
    private static readonly MessageCodec Codec = new();

    // MessagePack codes that change a value's type or width: nil, never-used, bool, bin/ext/float/uint/int
    // widths, str8, array/map 16/32, the largest fixints.
    private static readonly byte[] Boundary =
        [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc7, 0xca, 0xcb, 0xcc, 0xcd,
         0xce, 0xcf, 0xd0, 0xd3, 0xd4, 0xd6, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];

    private static readonly byte[][] Overflows =
    [
        [0xce, 0xff, 0xff, 0xff, 0xff],                               // uint32 max: overflows int32
        [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],       // uint64 max: overflows int64
        [0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],       // int64 min
        [0xdd, 0x7f, 0xff, 0xff, 0xff],                               // array32 claiming 2^31-1 entries
        [0xdb, 0x7f, 0xff, 0xff, 0xff],                               // str32 claiming 2 GiB
    ];

    /// <summary>Golden frames a node sends (what a fake node attacks a distributor with).</summary>
    public static IReadOnlyList<byte[]> FromNode { get; } = Golden("Hello", "Result", "Result(Error)", "Credit", "Heartbeat", "Goodbye", "Publish");

    /// <summary>Golden frames a distributor sends after the handshake (what a fake distributor attacks a node with).</summary>
    public static IReadOnlyList<byte[]> FromDistributorInSession { get; } = Golden("Dispatch", "DispatchBatch", "Cancel", "Heartbeat", "Goodbye", "ResultAck", "ResultAckRange");

    public static byte[] GoldenFrame(string name) => Codec.EncodeFrame(SampleMessages.Get(name));

    public static byte[] Mutate(byte[] frame, Random random)
    {
        var body = frame[MessageCodec.HeaderBytes..];
        var at = random.Next(body.Length);
        switch (random.Next(10))
        {
            case 0:
            case 1:
                body[at] = (byte)random.Next(256);
                break;
            case 2:
            case 3:
                body[at] = Boundary[random.Next(Boundary.Length)];
                break;
            case 4:
            case 5:
                body = [.. body[..at], .. Overflows[random.Next(Overflows.Length)], .. body[(at + 1)..]];
                break;
            case 6:
                body = body[..at];
                break;
            case 7:
                var extra = new byte[1 + random.Next(8)];
                random.NextBytes(extra);
                body = [.. body[..at], .. extra, .. body[at..]];
                break;
            case 8:
                body[at] = (byte)random.Next(256);
                body[random.Next(body.Length)] = Boundary[random.Next(Boundary.Length)];
                break;
            default:
                // The length prefix itself lies: too short, too long, zero or over the limit.
                var lying = (byte[])frame.Clone();
                BinaryPrimitives.WriteUInt32BigEndian(lying, random.Next(4) switch
                {
                    0 => 0u,
                    1 => (uint)random.Next(1, body.Length + 1),
                    2 => (uint)(body.Length + 1 + random.Next(100)),
                    _ => uint.MaxValue - (uint)random.Next(100),
                });
                return lying;
        }
        return RawPeer.Frame(body);
    }

    private static byte[][] Golden(params string[] names) => [.. names.Select(GoldenFrame)];
}
