using Microsoft.Extensions.Options;

namespace Reactor;

/// <summary>
/// Runs <see cref="DistributorOptions.Validate"/>'s checks for <c>ValidateOnStart</c> and returns
/// every problem it found, so the host's <see cref="OptionsValidationException"/> says what is
/// wrong instead of a generic "invalid distributor options".
/// </summary>
internal sealed class DistributorOptionsValidator : IValidateOptions<DistributorOptions>
{
    public ValidateOptionsResult Validate(string? name, DistributorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
