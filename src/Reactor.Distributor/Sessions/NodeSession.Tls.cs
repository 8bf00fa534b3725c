using Microsoft.Extensions.Logging;
using Reactor.Transport;

namespace Reactor.Distributor.Sessions;

internal sealed partial class NodeSession
{
    /// <summary>
    /// Opens the link, in TLS when the distributor has a certificate. A peer that speaks plain text to
    /// a TLS port (or fails the TLS handshake in any way) is logged and dropped: null.
    /// </summary>
    private async Task<PeerConnection?> OpenAsync(CancellationToken stopping)
    {
        var tls = _context.Certificate is { } certificate ? LinkTls.Server(certificate) : null;
        try
        {
            return await PeerConnection.OpenAsync(_socket, tls, _context.Codec, _context.Time, _context.Options.HandshakeTimeout,
                // Enqueue validates args, so this means a bug; it must not pass silently.
                (message, error) => LogUnsendable(_logger, Describe(), message.GetType().Name, error.Message),
                stopping).ConfigureAwait(false);
        }
        catch (IOException e) when (tls is not null)
        {
            LogTlsFailed(_logger, Remote, e.InnerException?.Message ?? e.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "Refused {Remote}: TLS handshake failed: {Reason}")]
    private static partial void LogTlsFailed(ILogger logger, string remote, string reason);
}
