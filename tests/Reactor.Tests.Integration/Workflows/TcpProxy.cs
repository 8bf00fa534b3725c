using System.Net;
using System.Net.Sockets;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>
/// A loopback TCP proxy in front of a real server. <see cref="Cut"/> drops every connection and
/// refuses new ones, as a broker that went down; <see cref="Restore"/> lets connections through again.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly List<TcpClient> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _cut;

    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Cut()
    {
        _cut = true;
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                if (connection.Client is { } socket)
                {
                    socket.LingerState = new LingerOption(true, 0); // RST, like a crashed peer
                }
                connection.Dispose();
            }
            _connections.Clear();
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception)
            {
                return;
            }
            if (_cut)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
        }
        catch (Exception)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }
        lock (_connections)
        {
            _connections.Add(client);
            _connections.Add(upstream);
        }
        var a = Copy(client.GetStream(), upstream.GetStream());
        var b = Copy(upstream.GetStream(), client.GetStream());
        await Task.WhenAny(a, b);
        client.Dispose();
        upstream.Dispose();
    }

    private async Task Copy(NetworkStream from, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to, _stopping.Token);
        }
        catch (Exception)
        {
            // Either side went away: the pipe ends.
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        Cut();
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }
}
