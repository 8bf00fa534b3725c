namespace Reactor.Workflows.Engine;

/// <summary>Reconnect and resend delays: doubling from a base up to a cap, with the upper half random so engines spread out.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(TimeSpan initial, TimeSpan max, int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 20);
        var full = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(full / 2 + Random.Shared.NextDouble() * full / 2);
    }
}
