namespace Reactor;

/// <summary>
/// Job args could not be read as the type a job or the app asked for (<see cref="JobArgs.As{T}"/>):
/// a required property is missing or a value has the wrong type. The message names the property.
/// A job whose typed args do not bind fails at once, without retries: the same args would fail again.
/// </summary>
public sealed class JobArgsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobArgsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobArgsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobArgsException()
    {
    }
}
