namespace Reactor.Tests.Integration.Support;

/// <summary>Waits for a condition that has no event of its own (a count returning to baseline).</summary>
internal static class Wait
{
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return condition();
            }
            await Task.Delay(20);
        }
        return true;
    }
}
