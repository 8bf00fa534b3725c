using Testcontainers.RabbitMq;
using Testcontainers.Redis;

namespace Reactor.Tests.Integration.Services;

/// <summary>Starts Redis and RabbitMQ in containers when a Docker engine is reachable.</summary>
internal static class ContainerServices
{
    public static bool DockerReachable() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");

    public static async Task<string> StartRedisAsync()
    {
        var container = new RedisBuilder("redis:7").Build();
        await container.StartAsync().ConfigureAwait(false);
        return container.GetConnectionString();
    }

    public static async Task<string> StartRabbitMqAsync()
    {
        var container = new RabbitMqBuilder("rabbitmq:3-management").Build();
        await container.StartAsync().ConfigureAwait(false);
        return container.GetConnectionString();
    }
}
