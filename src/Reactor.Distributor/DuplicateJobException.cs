namespace Reactor;

/// <summary>
/// <c>EnqueueAsync</c> with a <see cref="EnqueueOptions.UniqueKey"/> that a job enqueued by another
/// application instance holds: nothing was queued, and this instance cannot wait for that job's result.
/// </summary>
public sealed class DuplicateJobException : InvalidOperationException
{
    /// <summary>Creates the exception for the job <paramref name="holderId"/> holding <paramref name="uniqueKey"/>.</summary>
    public DuplicateJobException(string holderId, string uniqueKey)
        : base($"unique key '{uniqueKey}' is held by job {holderId}, enqueued by another application instance")
    {
        HolderId = holderId;
        UniqueKey = uniqueKey;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public DuplicateJobException()
    {
        HolderId = "";
        UniqueKey = "";
    }

    /// <summary>Creates the exception with a message only.</summary>
    public DuplicateJobException(string message)
        : base(message)
    {
        HolderId = "";
        UniqueKey = "";
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public DuplicateJobException(string message, Exception innerException)
        : base(message, innerException)
    {
        HolderId = "";
        UniqueKey = "";
    }

    /// <summary>The id of the job holding the key.</summary>
    public string HolderId { get; }

    /// <summary>The key.</summary>
    public string UniqueKey { get; }
}
