using System.Net.Security;
using Microsoft.Extensions.Logging;

namespace Reactor.Distribution.Sessions;

internal sealed partial class NodeSession
{
    /// <summary>
    /// Wraps the connection in TLS when the distributor has a certificate. A peer that speaks plain
    /// text to a TLS port (or fails the TLS handshake in any way) is logged and dropped: null.
    /// </summary>
    private async Task<Stream?> SecureAsync(Stream network, CancellationToken stopping)
    {
        if (_context.Certificate is not { } certificate)
        {
            return network;
        }
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(_context.Options.HandshakeTimeout, _context.Time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, both.Token)
                .ConfigureAwait(false);
            return tls;
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
        {
            LogTlsFailed(_logger, Remote, e.Message);
            await tls.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "Refused {Remote}: TLS handshake failed: {Reason}")]
    private static partial void LogTlsFailed(ILogger logger, string remote, string reason);
}
