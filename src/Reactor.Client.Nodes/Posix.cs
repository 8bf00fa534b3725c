using System.Runtime.InteropServices;

namespace Reactor;

/// <summary>The one POSIX call .NET lacks: sending SIGTERM to a child (Process.Kill only sends SIGKILL).</summary>
internal static partial class Posix
{
    public const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
