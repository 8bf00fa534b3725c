using Microsoft.Extensions.Logging;

namespace Reactor.Node.Jobs;

// Placeholder replaced by the jobs-loader branch.
internal static class JobsDirectoryLoader
{
    public static JobCatalog Load(string directory, ILogger logger) => throw new NotSupportedException(directory + logger);
}
