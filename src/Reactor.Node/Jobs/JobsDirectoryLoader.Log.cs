using Microsoft.Extensions.Logging;

namespace Reactor.Node.Jobs;

internal static partial class JobsDirectoryLoader
{
    // Event ids and names are part of the node's log contract: never renumber or rename them.
    private static partial class Log
    {
        [LoggerMessage(EventId = 2100, EventName = "JobsLoaded", Level = LogLevel.Information,
            Message = "Loaded {JobCount} jobs from {FileCount} files in {Directory}")]
        public static partial void JobsLoaded(ILogger logger, int jobCount, int fileCount, string directory);

        [LoggerMessage(EventId = 2101, EventName = "JobScriptCompiled", Level = LogLevel.Debug,
            Message = "Compiled {Path} in {ElapsedMilliseconds:F0} ms")]
        public static partial void ScriptCompiled(ILogger logger, string path, double elapsedMilliseconds);

        [LoggerMessage(EventId = 2102, EventName = "JobModuleRegistered", Level = LogLevel.Debug,
            Message = "Registered job module {Type} from {Path}")]
        public static partial void ModuleRegistered(ILogger logger, string type, string path);

        [LoggerMessage(EventId = 2103, EventName = "JobsDllNotAnAssembly", Level = LogLevel.Debug,
            Message = "Skipped {Path}: not a loadable .NET assembly")]
        public static partial void NotAnAssembly(ILogger logger, string path);

        [LoggerMessage(EventId = 2104, EventName = "JobsDllHostAssemblySkipped", Level = LogLevel.Debug,
            Message = "Skipped {Path}: the host already has assembly {AssemblyName}")]
        public static partial void HostAssemblySkipped(ILogger logger, string path, string assemblyName);

        [LoggerMessage(EventId = 2105, EventName = "JobsDllAssemblyReused", Level = LogLevel.Debug,
            Message = "Using the already loaded {AssemblyName} from {LoadedPath} for {Path}")]
        public static partial void AssemblyReused(ILogger logger, string path, string assemblyName, string loadedPath);
    }
}
