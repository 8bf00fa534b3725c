using System.Globalization;

namespace Reactor.Node.Links;

/// <summary>A distributor's <c>host:port</c>.</summary>
internal sealed record DistributorAddress(string Host, int Port)
{
    public static bool TryParse(string text, out DistributorAddress address)
    {
        address = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }
        address = new DistributorAddress(text[..colon].Trim('[', ']'), port);
        return true;
    }

    public static DistributorAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a host:port address");

    public override string ToString() => $"{Host}:{Port}";
}
