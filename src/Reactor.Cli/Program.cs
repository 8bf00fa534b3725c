using System.CommandLine;
using Reactor.Cli.Commands;

var root = new RootCommand("reactor: run Reactor worker nodes and inspect jobs and workflows");
root.Subcommands.Add(NodeCommand.Create());
root.Subcommands.Add(MonitorCommand.Create());
root.Subcommands.Add(ReplCommand.Create());
root.Subcommands.Add(WorkflowCommand.Create());
root.Subcommands.Add(DashboardCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
