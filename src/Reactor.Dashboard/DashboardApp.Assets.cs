using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Reactor.Dashboard;

// The stylesheet and script, served from the assembly's embedded resources (no CDN, no files on disk).
internal sealed partial class DashboardApp
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type)> Assets = LoadAssets();

    public async Task<IResult> AssetAsync(HttpContext context, string file)
    {
        if (await DenyAsync(context).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        if (!Assets.TryGetValue(file, out var asset))
        {
            return Results.NotFound();
        }
        context.Response.Headers.CacheControl = "public, max-age=3600";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(asset.Bytes, asset.Type);
    }

    private static FrozenDictionary<string, (byte[], string)> LoadAssets()
    {
        const string prefix = "Reactor.Dashboard.Assets.";
        var assembly = typeof(DashboardApp).Assembly;
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name[prefix.Length..];
            var type = Path.GetExtension(file) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".png" => "image/png",
                _ => "application/octet-stream",
            };
            assets[file] = (copy.ToArray(), type);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
