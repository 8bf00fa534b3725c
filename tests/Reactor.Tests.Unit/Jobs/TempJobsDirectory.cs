namespace Reactor.Tests.Unit.Jobs;

/// <summary>A throwaway jobs directory under the temp folder.</summary>
internal sealed class TempJobsDirectory : IDisposable
{
    public TempJobsDirectory() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "reactor-jobs-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes a file (creating folders) and returns its full path.</summary>
    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Copy(string file, string? relativePath = null)
    {
        var path = Path.Combine(Root, relativePath ?? Path.GetFileName(file));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(file, path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail the test that made it.
        }
    }
}
