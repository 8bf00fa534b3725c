using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Reactor.Tests.Integration.Observability;

[TestFixture]
public sealed class JrLoggingTests
{
    [Test]
    public void JR_Run_logs_to_the_console_at_Information_by_default()
    {
        using var factory = JR.ConsoleLogging();
        var logger = factory.CreateLogger("Reactor.Distributor");

        Assert.That(logger.IsEnabled(LogLevel.Information), Is.True);
        Assert.That(logger.IsEnabled(LogLevel.Debug), Is.False);
    }
}
