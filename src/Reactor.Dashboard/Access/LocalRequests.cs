using System.Net;
using Microsoft.AspNetCore.Http;

namespace Reactor.Dashboard.Access;

/// <summary>The local-requests-only rule: only the loopback interface counts as local.</summary>
internal static class LocalRequests
{
    /// <summary>
    /// True for a request from a loopback address, or one with no remote address at all (an in-process
    /// server). A request from this machine's own LAN address is not local: on a shared host that
    /// address is reachable by others through proxies and port forwards, so it is no proof of locality.
    /// </summary>
    public static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is not { } remote || IPAddress.IsLoopback(remote);
}
