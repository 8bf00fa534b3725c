using System.Net;
using System.Net.Sockets;

namespace Reactor.Tests.Integration.Support;

/// <summary>A loopback TCP relay whose connections a test can cut, to simulate a dropped network link.</summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly MemoryStream? _toUpstream;
    private readonly MemoryStream? _toDownstream;
    private volatile bool _refusing;

    /// <param name="upstreamPort">Where to relay to.</param>
    /// <param name="record">Keep a copy of every byte relayed, in each direction (see <see cref="Captured"/>).</param>
    public TcpProxy(int upstreamPort, bool record = false)
    {
        _upstreamPort = upstreamPort;
        if (record)
        {
            _toUpstream = new MemoryStream();
            _toDownstream = new MemoryStream();
        }
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>Every byte relayed so far towards the upstream (true) or back to the clients (false).</summary>
    public byte[] Captured(bool towardsUpstream)
    {
        var stream = (towardsUpstream ? _toUpstream : _toDownstream) ?? throw new InvalidOperationException("not recording");
        lock (stream)
        {
            return stream.ToArray();
        }
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cuts every relayed connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Drop()
    {
        _refusing = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                try
                {
                    client.Client.LingerState = new LingerOption(true, 0); // RST, as a failing network would
                }
                catch (Exception e) when (e is ObjectDisposedException or NullReferenceException or SocketException)
                {
                    // Already closed by its pump.
                }
                client.Dispose();
            }
            _open.Clear();
        }
    }

    public void Restore() => _refusing = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Drop();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (_refusing)
            {
                inbound.Dispose();
                continue;
            }
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _upstreamPort);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }
            _ = PumpAsync(inbound, outbound, _toUpstream);
            _ = PumpAsync(outbound, inbound, _toDownstream);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, MemoryStream? record)
    {
        try
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await from.GetStream().ReadAsync(buffer)) > 0)
            {
                if (record is not null)
                {
                    lock (record)
                    {
                        record.Write(buffer, 0, read);
                    }
                }
                await to.GetStream().WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
