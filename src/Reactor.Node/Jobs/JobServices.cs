using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reactor.Node.Jobs;

/// <summary>
/// Where job classes get their services. A node in a generic host resolves from the host's container;
/// services that jobs-directory modules register (<see cref="IJobModule.ConfigureServices"/>) live in a
/// container of the node's own, which also serves a node without a host (with logging and the clock).
/// A run's scope looks in the node's container first, then in the host's.
/// </summary>
internal sealed class JobServices : IAsyncDisposable
{
    private readonly IServiceProvider? _host;
    private ServiceProvider? _own;

    public JobServices(IServiceProvider? host) => _host = host;

    /// <summary>Builds the node's own container, when modules registered services or there is no host.</summary>
    public void Build(IServiceCollection moduleServices, ILoggerFactory loggerFactory, TimeProvider time)
    {
        if (moduleServices.Count == 0 && _host is not null)
        {
            return;
        }
        var services = new ServiceCollection();
        if (_host is null)
        {
            services.AddSingleton(loggerFactory);
            services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            services.AddSingleton(time);
        }
        foreach (var descriptor in moduleServices)
        {
            ((ICollection<ServiceDescriptor>)services).Add(descriptor);
        }
        _own = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public JobScope CreateScope() => new(_own?.CreateAsyncScope(), _host?.CreateAsyncScope());

    public async ValueTask DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>One run's services: the node's own scope, then the host's.</summary>
internal sealed class JobScope(AsyncServiceScope? own, AsyncServiceScope? host) : IServiceProvider, IServiceProviderIsService, IAsyncDisposable
{
    public object? GetService(Type serviceType)
    {
        if (serviceType == typeof(IServiceProvider) || serviceType == typeof(IServiceProviderIsService))
        {
            return this;
        }
        return own?.ServiceProvider.GetService(serviceType) ?? host?.ServiceProvider.GetService(serviceType);
    }

    public bool IsService(Type serviceType) =>
        IsServiceIn(own, serviceType) || IsServiceIn(host, serviceType);

    public async ValueTask DisposeAsync()
    {
        if (own is { } o)
        {
            await o.DisposeAsync().ConfigureAwait(false);
        }
        if (host is { } h)
        {
            await h.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool IsServiceIn(AsyncServiceScope? scope, Type serviceType) =>
        scope is { } s && s.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(serviceType) == true;
}
