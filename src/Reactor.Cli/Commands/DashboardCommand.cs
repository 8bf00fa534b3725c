using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reactor.Dashboard;

namespace Reactor.Cli.Commands;

/// <summary>
/// <c>reactor dashboard</c>: serves the web dashboard from what Redis holds (node job records, the
/// distributor's journal, results and published snapshot, workflows), for operators outside the application.
/// Pausing, resuming and cancelling workflows needs no broker: they are state changes in the workflow
/// store, which the engines act on at their next sweep.
/// Binds 127.0.0.1 unless told otherwise and serves local requests only unless <c>--allow-remote</c>.
/// Exit codes: 0 stopped by Ctrl-C/SIGTERM, 1 could not start.
/// </summary>
internal static class DashboardCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5050";

    public static Command Create()
    {
        var redis = RedisConnection.AddressOption();
        var prefix = RedisConnection.PrefixOption();
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen, ASP.NET Core's form (port 0 picks a free one)",
            DefaultValueFactory = _ => DefaultUrls,
        };
        var name = new Option<string>("--distributor-name")
        {
            Description = "The distributor's journal name (DistributorOptions.Name)",
            DefaultValueFactory = _ => "default",
        };
        var workflowPrefix = new Option<string>("--workflow-prefix")
        {
            Description = "The workflow store's key prefix (WorkflowOptions.RedisKeyPrefix of the engines)",
            DefaultValueFactory = _ => "reactor:wf:",
        };
        var readOnly = new Option<bool>("--read-only") { Description = "Show no actions and refuse them" };
        var allowRemote = new Option<bool>("--allow-remote")
        {
            Description = "Serve requests from other machines too (put authentication in front of it: the dashboard has none of its own)",
        };
        var command = new Command("dashboard", "Serve the web dashboard from what Redis holds")
        {
            redis, prefix, urls, name, workflowPrefix, readOnly, allowRemote,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            RedisConnection.ResolveAddress(result.GetValue(redis)), result.GetValue(prefix)!, result.GetValue(urls)!,
            result.GetValue(name)!, result.GetValue(workflowPrefix)!, result.GetValue(readOnly), result.GetValue(allowRemote), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string redis, string prefix, string urls, string name, string workflowPrefix, bool readOnly, bool allowRemote,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddReactorDashboard();
        await using var app = builder.Build();
        try
        {
            app.MapReactorDashboard("/", o =>
            {
                o.Redis = redis;
                o.KeyPrefix = prefix;
                o.DistributorName = name;
                o.WorkflowKeyPrefix = workflowPrefix;
                o.ReadOnly = readOnly;
                o.LocalRequestsOnly = !allowRemote;
            });
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"reactor dashboard: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            await Console.Out.WriteLineAsync($"Reactor dashboard on {address}/ reading Redis {redis} (prefix {prefix})").ConfigureAwait(false);
        }
        try
        {
            // The host's console lifetime takes SIGINT/SIGTERM too and may get them first: stop on either.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM.
        }
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }
}
