using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Reactor.Transport;

/// <summary>
/// TLS for one end of a link: the distributor authenticates as a server with its certificate, a node
/// as a client that trusts a valid chain or one pinned thumbprint. Both ends share the time limit and
/// the rule that any failure disposes the stream and surfaces as one <see cref="IOException"/>.
/// </summary>
internal sealed class LinkTls
{
    private readonly Func<SslStream, CancellationToken, Task> _authenticate;
    private readonly RemoteCertificateValidationCallback? _validate;

    private LinkTls(Func<SslStream, CancellationToken, Task> authenticate, RemoteCertificateValidationCallback? validate)
    {
        _authenticate = authenticate;
        _validate = validate;
    }

    /// <summary>The distributor's side: present <paramref name="certificate"/>.</summary>
    public static LinkTls Server(X509Certificate2 certificate) =>
        new((tls, token) => tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, token), null);

    /// <summary>A node's side: the certificate must be valid for <paramref name="host"/>, or carry <paramref name="pinnedThumbprint"/>.</summary>
    public static LinkTls Client(string host, string? pinnedThumbprint) =>
        new((tls, token) => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, token),
            (_, certificate, _, errors) => errors == SslPolicyErrors.None || IsPinned(certificate, pinnedThumbprint));

    /// <summary>
    /// Wraps <paramref name="network"/> in TLS within the deadline. Throws <see cref="IOException"/>
    /// ("TLS handshake failed: …") when the peer fails TLS (plain text on a TLS port, an untrusted
    /// certificate, a timeout); <see cref="OperationCanceledException"/> only when the caller stops.
    /// </summary>
    public async Task<Stream> AuthenticateAsync(Stream network, HandshakeDeadline deadline, CancellationToken stopping)
    {
        var tls = new SslStream(network, leaveInnerStreamOpen: false, _validate);
        try
        {
            await _authenticate(tls, deadline.Token).ConfigureAwait(false);
            return tls;
        }
        catch (Exception e) when (e is AuthenticationException or IOException
            || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            var reason = e is OperationCanceledException ? $"no answer within {deadline.Timeout.TotalSeconds:0.###} s" : e.Message;
            throw new IOException($"TLS handshake failed: {reason}", e);
        }
    }

    // A pinned self-signed certificate is trusted by its thumbprint, and by nothing else.
    private static bool IsPinned(X509Certificate? certificate, string? pinned) =>
        certificate is not null && pinned is not null
        && string.Equals(certificate.GetCertHashString(), pinned.Replace(":", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
}
