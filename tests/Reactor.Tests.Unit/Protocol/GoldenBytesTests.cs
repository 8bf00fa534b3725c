using System.Buffers;
using NUnit.Framework;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>
/// The exact frames of <see cref="SampleMessages"/>. A failure here means the wire format changed:
/// that breaks every deployed peer, so fix the code, or bump the protocol version and update
/// docs/protocol.md together with this table.
/// </summary>
public class GoldenBytesTests
{
    public static readonly IReadOnlyDictionary<string, string> Golden = new Dictionary<string, string>
    {
        ["Greeting"] = "0000001f92009501a6646973742d31c410000102030405060708090a0b0c0d0e0fc303",
        ["Hello"] = "0000004692019603a8776f726b65725f310492a66d795f6a6f62a67265706f7274a66d656d6f7279c4208f1a94fbcc4bb10f194464d1de65f36acba2ea237843c01bf135ce2957445a32",
        ["Welcome"] = "0000000d920292a6646973742d31cd1388",
        ["Reject"] = "00000017920391b36475706c6963617465206e6f6465206e616d65",
        ["Dispatch"] = "00000042920499a66a6f622d3432a67265706f727484a461726731a548656c6c6fa16e05a47461677392a161ffa26174d6ff65937d25cf0000018cc820d88800c203cd138800",
        ["Dispatch(trace)"] = "0000006a92049ba66a6f622d3434a67265706f727481a16e050000c2000000d93730302d30616637363531393136636434336464383434386562323131633830333139632d623761643662373136393230333333312d3031b5726f6a6f3d30306630363761613062613930326237",
        ["Dispatch(cron)"] = "0000003f92049ea66a6f622d3435a67265706f727481a16e05cf0000019b78921c0000c2000000c0c0ab302039202a202a20312d35ac4575726f70652f506172697301",
        ["DispatchBatch"] = "00000036920d919299a66a6f622d3436a67265706f727481a16e010000c200000099a66a6f622d3437a67265706f727481a16e020000c2000000",
        ["Result"] = "0000002b920597a66a6f622d34320082a461726731a548656c6c6fa6726573756c74cb3ff8000000000000c0c30101",
        ["Result(Error)"] = "00000022920597a66a6f622d34330182a16e05a56572726f72a4626f6f6da4626f6f6dc30302",
        ["Result(Cancelled)"] = "0000002d920597a66a6f622d34350281a16e05ba63616e63656c6c656420627920746865206a6f623a20646f6e65c30108",
        ["Result(v1)"] = "0000002a920596a66a6f622d34320082a461726731a548656c6c6fa6726573756c74cb3ff8000000000000c0c301",
        ["Credit"] = "0000000492069102",
        ["Cancel"] = "0000000a920791a66a6f622d3432",
        ["Heartbeat"] = "00000003920890",
        ["Goodbye"] = "00000011920991ad7368757474696e6720646f776e",
        ["ResultAck"] = "0000000a920a91a66a6f622d3432",
        ["ResultAckRange"] = "00000007920e9201cd0100",
        ["Publish"] = "0000002c920b98a66a6f622d34320102a866696e616c697a6581a16e050092a76576656e745f31a76576656e745f32c2",
        ["Progress"] = "00000018920c94a66a6f622d343201cb3fe0000000000000a3332f37",
    };

    private static IEnumerable<TestCaseData> Samples() =>
        SampleMessages.All().Select(sample => new TestCaseData(sample.Name).SetArgDisplayNames(sample.Name));

    [TestCaseSource(nameof(Samples))]
    public void Frame_bytes_are_exactly_the_documented_ones(string name)
    {
        var frame = new MessageCodec().EncodeFrame(SampleMessages.Get(name));

        Assert.That(Convert.ToHexStringLower(frame), Is.EqualTo(Golden[name]));
    }

    [TestCaseSource(nameof(Samples))]
    public void Documented_bytes_decode_to_the_sample_message(string name)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(Golden[name]));

        Assert.That(new MessageCodec().TryReadFrame(ref buffer, out var message), Is.True);
        Assert.That(Structural.Diff(SampleMessages.Get(name), message), Is.Null);
    }

    [Test]
    public void Auth_proof_is_HMAC_SHA256_keyed_by_the_secret_over_the_nonce_then_the_node_name()
    {
        // Computed independently of .NET (Python's hmac module) for the documented example.
        const string Expected = "8f1a94fbcc4bb10f194464d1de65f36acba2ea237843c01bf135ce2957445a32";

        var proof = SampleMessages.AuthProof(SampleMessages.Secret, SampleMessages.Nonce(), SampleMessages.NodeName);

        Assert.That(Convert.ToHexStringLower(proof), Is.EqualTo(Expected));
        Assert.That(((Hello)SampleMessages.Get("Hello")).AuthProof, Is.EqualTo(proof));
    }

    [Test]
    public void Integers_and_strings_in_wider_encodings_than_needed_are_accepted()
    {
        // A peer in another language may not pick the smallest encoding:
        // [int32 6, [int64 2]] and [7, [str8 "j"]].
        var credit = Bytes.Hex("92 d2 00000006 91 d3 0000000000000002");
        var cancel = Bytes.Hex("92 07 91 d9 01 6a");
        var codec = new MessageCodec();

        Assert.That(codec.Decode(new ReadOnlySequence<byte>(credit)), Is.EqualTo(new Credit(2)));
        Assert.That(codec.Decode(new ReadOnlySequence<byte>(cancel)), Is.EqualTo(new Cancel("j")));
    }

    [Test]
    public void Every_golden_frame_is_printed_in_the_protocol_spec()
    {
        var spec = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "protocol.md"));
        var compact = new string(spec.Where(c => !char.IsWhiteSpace(c)).ToArray());

        Assert.Multiple(() =>
        {
            foreach (var (name, hex) in Golden)
            {
                Assert.That(compact, Does.Contain(hex), $"docs/protocol.md lacks the golden bytes of {name}");
            }
        });
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Reactor.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("no Reactor.sln above " + TestContext.CurrentContext.TestDirectory);
    }
}
