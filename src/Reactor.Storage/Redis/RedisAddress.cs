using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

/// <summary>
/// Turns a Redis address into StackExchange.Redis options. Two forms are accepted:
/// <list type="bullet">
/// <item><c>redis://[[user]:password@]host[:port][/db]</c>, or <c>rediss://</c> for TLS (user info is
/// percent-decoded; a user info without a colon is the password, as <c>redis-cli -u</c> reads it);</item>
/// <item>StackExchange.Redis's own <c>host:port[,host:port],password=...,ssl=true,...</c>.</item>
/// </list>
/// The result never aborts on a failed connect (the multiplexer keeps retrying in the background) and
/// has a connect timeout. Error messages never contain the password.
/// </summary>
public static class RedisAddress
{
    /// <summary>Port used when the address names none.</summary>
    public const int DefaultPort = 6379;

    /// <summary>Connect timeout used when the address sets none. Default: 5 seconds.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Parses <paramref name="address"/>. <paramref name="connectTimeout"/> applies unless the address
    /// sets <c>connectTimeout=</c> itself. Throws <see cref="ArgumentException"/> saying what is wrong.
    /// </summary>
    public static ConfigurationOptions Parse(string address, TimeSpan? connectTimeout = null)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            throw Malformed("it is empty");
        }
        address = address.Trim();
        var isUri = LooksLikeUri(address);
        var options = isUri ? ParseUri(address) : ParseNative(address);
        options.AbortOnConnectFail = false;
        if (isUri || !address.Contains("connectTimeout=", StringComparison.OrdinalIgnoreCase))
        {
            options.ConnectTimeout = (int)(connectTimeout ?? DefaultConnectTimeout).TotalMilliseconds;
        }
        return options;
    }

    /// <summary>The endpoints as <c>host:port</c>, comma-separated: safe to log (no credentials).</summary>
    public static string Describe(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Join(",", options.EndPoints.Select(EndPointCollection.ToString));
    }

    // Only a leading scheme makes a URI: a native-form password may itself contain "://".
    private static bool LooksLikeUri(string address)
    {
        var end = address.IndexOf("://", StringComparison.Ordinal);
        return end > 0 && address[..end].All(char.IsAsciiLetter);
    }

    private static ConfigurationOptions ParseUri(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            throw Malformed("it is not a valid URI");
        }
        var tls = uri.Scheme switch
        {
            "redis" => false,
            "rediss" => true,
            _ => throw Malformed($"the scheme '{uri.Scheme}' is not redis:// or rediss://"),
        };
        if (string.IsNullOrEmpty(uri.Host))
        {
            throw Malformed("it names no host");
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Malformed("query options are not supported in redis:// addresses; use the host:port,option=value form");
        }
        var options = new ConfigurationOptions { Ssl = tls };
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        options.EndPoints.Add(IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port));
        if (tls)
        {
            options.SslHost = host;
        }
        ReadUserInfo(uri.UserInfo, options);
        options.DefaultDatabase = ReadDatabase(uri.AbsolutePath);
        return options;
    }

    private static void ReadUserInfo(string userInfo, ConfigurationOptions options)
    {
        if (userInfo.Length == 0)
        {
            return;
        }
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? "" : Uri.UnescapeDataString(userInfo[..colon]);
        var password = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[(colon + 1)..]);
        options.User = user.Length > 0 ? user : null;
        options.Password = password.Length > 0 ? password : null;
    }

    private static int? ReadDatabase(string path)
    {
        var trimmed = path.Trim('/');
        if (trimmed.Length == 0)
        {
            return null;
        }
        return int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var db)
            ? db
            : throw Malformed($"the path '/{trimmed}' is not a database number");
    }

    private static ConfigurationOptions ParseNative(string address)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(address);
        }
        catch (ArgumentException e)
        {
            // StackExchange.Redis names only the offending keyword, never a value, so its text is safe.
            throw Malformed(e.Message.TrimEnd('.'));
        }
        if (options.EndPoints.Count == 0)
        {
            throw Malformed("it names no host:port");
        }
        return options;
    }

    private static ArgumentException Malformed(string reason) => new(
        $"malformed Redis address: {reason}. Expected redis://[[user]:password@]host[:port][/db] " +
        "(rediss:// for TLS) or host:port[,password=...][,ssl=true]", "address");
}
