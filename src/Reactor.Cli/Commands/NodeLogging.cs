using Microsoft.Extensions.Logging;

namespace Reactor.Cli.Commands;

/// <summary>
/// The node's console logging: <c>simple</c> (one line per entry, the default) or <c>json</c> (the
/// Microsoft.Extensions.Logging JSON console formatter, one object per line, with each message's
/// values such as <c>JobId</c> and <c>Name</c> under <c>State</c>). <c>--log-format</c> wins; without it
/// the standard <c>Logging__Console__FormatterName</c> environment variable is honoured.
/// </summary>
internal sealed record NodeLogging(LogLevel Level, string? Format)
{
    public const string FormatterVariable = "Logging__Console__FormatterName";

    /// <summary>The format in effect: the option, else the environment variable, else simple.</summary>
    public string EffectiveFormat =>
        Format ?? (string.Equals(Environment.GetEnvironmentVariable(FormatterVariable), "json", StringComparison.OrdinalIgnoreCase) ? "json" : "simple");

    public void Apply(ILoggingBuilder logging)
    {
        logging.ClearProviders().SetMinimumLevel(Level);
        if (EffectiveFormat == "json")
        {
            logging.AddJsonConsole(c =>
            {
                c.IncludeScopes = true;
                c.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                c.UseUtcTimestamp = true;
            });
            return;
        }
        logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss.fff ";
        });
    }
}
