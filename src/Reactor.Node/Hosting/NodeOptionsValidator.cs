using Microsoft.Extensions.Options;

namespace Reactor;

/// <summary>
/// Runs <see cref="NodeOptions.Validate"/>'s checks for <c>ValidateOnStart</c> and returns every
/// problem it found, so the host's <see cref="OptionsValidationException"/> says what is wrong
/// instead of a generic "invalid node options".
/// </summary>
internal sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
