using Reactor.Protocol.Messages;

namespace Reactor.Distributor.Sessions;

internal sealed partial class NodeSession
{
    private Task OnPublishAsync(Publish publish) =>
        _context.Flows is { } flows
            ? flows.HandleAsync(NodeName, publish)
            : throw new InvalidDataException("this distributor does not accept Publish messages");
}
