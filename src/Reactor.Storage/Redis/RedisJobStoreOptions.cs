using Microsoft.Extensions.Options;

namespace Reactor.Storage.Redis;

/// <summary>Settings of <see cref="RedisJobStore"/>; checked by <see cref="RedisJobStoreOptionsValidator"/>.</summary>
public sealed class RedisJobStoreOptions
{
    /// <summary>
    /// First segment of every key (see <see cref="RedisKeys"/>); lets several Reactor installations share
    /// one Redis database. Letters, digits and <c>_.:-{}</c>. Default: "reactor".
    /// </summary>
    public string KeyPrefix { get; set; } = "reactor";

    /// <summary>
    /// How long a finished record (complete, failed, cancelled) is kept, so results stay queryable
    /// without finished jobs piling up. Default: 1 day.
    /// </summary>
    public TimeSpan CompletedRecordTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long <see cref="RedisJobStore.ConnectAsync"/> waits for Redis, unless the address sets
    /// <c>connectTimeout=</c>. Default: 5 seconds.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = RedisAddress.DefaultConnectTimeout;
}

/// <summary>Checks <see cref="RedisJobStoreOptions"/>; register it with <c>ValidateOnStart</c>.</summary>
public sealed class RedisJobStoreOptionsValidator : IValidateOptions<RedisJobStoreOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RedisJobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.Length > 100
            || !options.KeyPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-' or '{' or '}'))
        {
            failures.Add($"KeyPrefix '{options.KeyPrefix}' must be 1-100 letters, digits or _.:-{{}}");
        }
        if (options.CompletedRecordTtl < TimeSpan.FromMilliseconds(1))
        {
            failures.Add($"CompletedRecordTtl must be positive (was {options.CompletedRecordTtl})");
        }
        if (options.ConnectTimeout < TimeSpan.FromMilliseconds(1) || options.ConnectTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"ConnectTimeout must be between 1 ms and 1 day (was {options.ConnectTimeout})");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void ThrowIfInvalid(RedisJobStoreOptions options)
    {
        var result = new RedisJobStoreOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException("invalid Redis store options: " + result.FailureMessage, nameof(options));
        }
    }
}
