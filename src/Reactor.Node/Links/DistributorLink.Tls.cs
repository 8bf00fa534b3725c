using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Reactor.Node.Links;

internal sealed partial class DistributorLink
{
    /// <summary>TLS to the distributor when configured; a certificate that fails validation ends this attempt.</summary>
    private async Task<Stream> SecureAsync(Stream network, CancellationToken stopping)
    {
        if (!_options.Tls)
        {
            return network;
        }
        var tls = new SslStream(network, leaveInnerStreamOpen: false, Validate);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = _address.Host }, timeout.Token)
                .ConfigureAwait(false);
            return tls;
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"TLS with {_address} failed: {e.Message}", e);
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        // A pinned self-signed certificate is trusted by its thumbprint, and by nothing else.
        return certificate is not null && _options.TlsThumbprint is { } pinned
            && string.Equals(certificate.GetCertHashString(), pinned.Replace(":", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }
}
