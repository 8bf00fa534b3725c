namespace Reactor.Workflows;

/// <summary>A workflow definition is invalid; the message names the file and the element at fault.</summary>
public sealed class WorkflowDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkflowDefinitionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public WorkflowDefinitionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public WorkflowDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static WorkflowDefinitionException At(string source, string element, string problem) =>
        new($"{source}: {element}: {problem}");
}
