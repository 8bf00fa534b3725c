using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Security;

/// <summary>The shared secret in the handshake and TLS, with in-process nodes over real TCP.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class LinkSecurityTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

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
        await using var cluster = await Cluster.StartAsync(o => o.Secret = "s3cret");
        await cluster.Host.StartNodeAsync(Node("trusted", o => o.Secret = "s3cret"));
        await cluster.WaitForNodesAsync(1);
        await using var wrong = new ReactorNode(Node("intruder", o =>
        {
            o.Secret = "guess";
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
    public async Task The_secret_never_crosses_the_wire_only_a_proof_bound_to_the_nonce()
    {
        await using var cluster = await Cluster.StartAsync(o => o.Secret = "s3cret");
        await using var peer = await RawPeer.ConnectAsync(cluster.Distributor.Port);
        byte[] data = [.. peer.Greeting!.Nonce, .. "raw"u8.ToArray()];
        var proof = HMACSHA256.HashData("s3cret"u8.ToArray(), data);

        await peer.SendAsync(new Hello(ProtocolLimits.CurrentVersion, "raw", 1, ["add"], "memory", proof));

        Assert.That(peer.Greeting.SecretRequired, Is.True);
        Assert.That(await peer.ReadAsync(Patience), Is.TypeOf<Welcome>());
        Assert.That(proof, Is.Not.EqualTo("s3cret"u8.ToArray()));
    }

    [Test]
    public void Listening_beyond_loopback_without_a_secret_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new DistributorOptions { Host = "0.0.0.0" }.Validate());

        Assert.That(error!.Message, Does.Contain("requires a Secret"));
        Assert.DoesNotThrow(() => new DistributorOptions { Host = "0.0.0.0", Secret = "x" }.Validate());
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
