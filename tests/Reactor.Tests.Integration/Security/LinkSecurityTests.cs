using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Security.Cryptography.X509Certificates;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Security;

/// <summary>The shared secret in the handshake and TLS, with in-process nodes over real TCP.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class LinkSecurityTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // At least SharedSecret.MinLength characters, and distinctive enough to search the wire for.
    private const string Secret = "correct-horse-battery-staple-42";

    private static NodeOptions Node(string name, Action<NodeOptions>? configure = null)
    {
        var options = new NodeOptions
        {
            Name = name,
            LogJobProcessing = false,
            Jobs = j => j.Job("add", a => a["sum"] = a.Get<long>("a") + a.Get<long>("b")),
        };
        configure?.Invoke(options);
        return options;
    }

    private static async Task AssertWorksAsync(Cluster cluster, string node)
    {
        var result = await cluster.Distributor.EnqueueAsync("add", new { a = 2, b = 2 }, new EnqueueOptions { Node = node }).WaitAsync(Patience);
        Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(4));
    }

    [Test]
    public async Task Nodes_with_the_secret_join_and_a_wrong_or_missing_secret_is_refused_without_disturbing_them()
    {
        await using var cluster = await Cluster.StartAsync(o => o.Secret = Secret);
        await cluster.Host.StartNodeAsync(Node("trusted", o => o.Secret = Secret));
        await cluster.WaitForNodesAsync(1);
        await using var wrong = new ReactorNode(Node("intruder", o =>
        {
            o.Secret = "a-wrong-guess-of-the-secret";
            o.Distributors.Add(cluster.Address);
        }));
        await using var missing = new ReactorNode(Node("anonymous", o => o.Distributors.Add(cluster.Address)));

        await wrong.StartAsync();
        await missing.StartAsync();

        Assert.That(await cluster.Logs.WaitForAsync("wrong shared secret", Patience), Is.True);
        Assert.That(await cluster.Logs.WaitForAsync("requires a shared secret", Patience), Is.True);
        Assert.That(cluster.Distributor.ConnectedNodes, Is.EqualTo(new[] { "trusted" }));
        await AssertWorksAsync(cluster, "trusted");
    }

    [Test]
    public async Task A_raw_client_that_computes_the_proof_for_its_own_nonce_is_welcomed()
    {
        await using var cluster = await Cluster.StartAsync(o => o.Secret = Secret);
        await using var peer = await RawPeer.ConnectAsync(cluster.Distributor.Port);
        byte[] data = [.. peer.Greeting!.Nonce, .. "raw"u8.ToArray()];
        var proof = HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Secret), data);

        await peer.SendAsync(new Hello(ProtocolLimits.CurrentVersion, "raw", 1, ["add"], "memory", proof));

        Assert.That(peer.Greeting.SecretRequired, Is.True);
        Assert.That(await peer.ReadAsync(Patience), Is.TypeOf<Welcome>());
    }

    [Test]
    public async Task The_secret_never_crosses_the_wire_in_either_direction()
    {
        await using var cluster = await Cluster.StartAsync(o => o.Secret = Secret);
        await using var proxy = new TcpProxy(cluster.Distributor.Port, record: true);
        await using var node = new ReactorNode(Node("watched", o =>
        {
            o.Secret = Secret;
            o.Distributors.Add($"127.0.0.1:{proxy.Port}");
        }));
        await node.StartAsync();
        await cluster.WaitForNodesAsync(1);
        await AssertWorksAsync(cluster, "watched");

        var toDistributor = proxy.Captured(towardsUpstream: true);
        var toNode = proxy.Captured(towardsUpstream: false);
        var hello = (Hello)Decode(toDistributor)[0];

        Assert.That(hello.NodeName, Is.EqualTo("watched"), "the capture holds the handshake");
        Assert.That(hello.AuthProof, Has.Length.EqualTo(32), "a proof went instead of the secret");
        Assert.That(Decode(toNode)[0], Is.TypeOf<Greeting>());
        foreach (var secretBytes in new[] { Encoding.UTF8.GetBytes(Secret), Encoding.Unicode.GetBytes(Secret), Encoding.UTF8.GetBytes(Secret[..8]) })
        {
            Assert.That(toDistributor.AsSpan().IndexOf(secretBytes), Is.EqualTo(-1), "secret (or part of it) in the node's bytes");
            Assert.That(toNode.AsSpan().IndexOf(secretBytes), Is.EqualTo(-1), "secret (or part of it) in the distributor's bytes");
        }
    }

    [Test]
    public async Task A_proof_captured_from_a_real_node_and_replayed_on_a_new_connection_is_refused()
    {
        await using var cluster = await Cluster.StartAsync(o => o.Secret = Secret);
        await using var proxy = new TcpProxy(cluster.Distributor.Port, record: true);
        await using (var node = new ReactorNode(Node("victim", o =>
        {
            o.Secret = Secret;
            o.Distributors.Add($"127.0.0.1:{proxy.Port}");
        })))
        {
            await node.StartAsync();
            await cluster.WaitForNodesAsync(1);
        }
        // The node stopped with a goodbye; the distributor drops it once the connection closes.
        Assert.That(await Wait.UntilAsync(() => cluster.Distributor.ConnectedNodes.Count == 0, Patience), Is.True);
        var captured = proxy.Captured(towardsUpstream: true);
        var helloFrame = captured[..(4 + (int)BinaryPrimitives.ReadUInt32BigEndian(captured))];
        Assert.That(((Hello)Decode(helloFrame)[0]).AuthProof, Is.Not.Null);

        await using var attacker = await RawPeer.ConnectAsync(cluster.Distributor.Port);
        await attacker.SendRawAsync(helloFrame);
        var answer = await attacker.ReadAsync(Patience);

        Assert.That(answer, Is.TypeOf<Reject>(), "the replayed proof was made for another nonce");
        Assert.That(((Reject)answer).Reason, Does.Contain("wrong shared secret"));
        Assert.That(await attacker.ClosedByPeerAsync(Patience), Is.True);
        Assert.That(cluster.Distributor.ConnectedNodes, Is.Empty);
    }

    [Test]
    public void Listening_beyond_loopback_without_a_secret_or_with_a_weak_one_is_refused()
    {
        var missing = Assert.Throws<ArgumentException>(() => new DistributorOptions { Host = "0.0.0.0" }.Validate());
        var empty = Assert.Throws<ArgumentException>(() => new DistributorOptions { Host = "0.0.0.0", Secret = "" }.Validate());
        var blank = Assert.Throws<ArgumentException>(() => new DistributorOptions { Host = "0.0.0.0", Secret = "                    " }.Validate());
        var shortOne = Assert.Throws<ArgumentException>(() => new DistributorOptions { Host = "0.0.0.0", Secret = "x" }.Validate());

        Assert.That(missing!.Message, Does.Contain("requires a Secret"));
        Assert.That(empty!.Message, Does.Contain("must not be empty"));
        Assert.That(blank!.Message, Does.Contain("must not be empty"));
        Assert.That(shortOne!.Message, Does.Contain("at least 16 characters"));
        Assert.DoesNotThrow(() => new DistributorOptions { Host = "0.0.0.0", Secret = Secret }.Validate());
    }

    [Test]
    public async Task A_distributor_with_an_empty_secret_does_not_start()
    {
        await using var host = new ReactorHost();

        var error = Assert.ThrowsAsync<ArgumentException>(() => host.StartDistributorAsync("0.0.0.0", 0, o => o.Secret = ""));

        Assert.That(error!.Message, Does.Contain("Secret must not be empty"));
    }

    private static List<IReactorMessage> Decode(byte[] stream)
    {
        var codec = new MessageCodec();
        var buffer = new ReadOnlySequence<byte>(stream);
        var messages = new List<IReactorMessage>();
        while (codec.TryReadFrame(ref buffer, out var message))
        {
            messages.Add(message);
        }
        return messages;
    }

    [Test]
    public async Task With_TLS_a_pinned_node_works_and_a_plain_text_peer_is_refused_with_a_logged_reason()
    {
        var (path, thumbprint) = CreateCertificate();
        try
        {
            await using var cluster = await Cluster.StartAsync(o => o.TlsCertificatePath = path);
            await cluster.Host.StartNodeAsync(Node("tls_node", o =>
            {
                o.Tls = true;
                o.TlsThumbprint = thumbprint;
            }));
            await cluster.WaitForNodesAsync(1);
            await using var plain = new ReactorNode(Node("plain_node", o => o.Distributors.Add(cluster.Address)));
            await using var unpinned = new ReactorNode(Node("unpinned", o =>
            {
                o.Tls = true;
                o.Distributors.Add(cluster.Address);
            }));

            await plain.StartAsync();
            await unpinned.StartAsync();

            Assert.That(await cluster.Logs.WaitForAsync("TLS handshake failed", Patience), Is.True);
            await Task.Delay(1000);
            Assert.That(cluster.Distributor.ConnectedNodes, Is.EqualTo(new[] { "tls_node" }), "neither the plain-text nor the unpinned node got in");
            await AssertWorksAsync(cluster, "tls_node");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (string Path, string Thumbprint) CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(Path.GetTempPath(), $"reactor-test-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx));
        return (path, certificate.Thumbprint);
    }
}
