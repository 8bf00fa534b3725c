using System.Text;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

/// <summary>
/// The Redis key layout of <see cref="RedisJobStore"/>. Every key starts with the configured prefix:
/// <list type="table">
/// <item><term><c>{prefix}:job:{id}</c></term><description>hash, one job record. Fields (JobReactor's
/// names): <c>id</c>, <c>name</c>, <c>args</c> (MessagePack map), <c>run_at</c> and <c>failed_at</c>
/// (Unix ms), <c>last_error</c>, <c>period</c> (ms), <c>defer</c> (0/1), <c>status</c> (<c>new</c>,
/// <c>queued</c>, <c>in progress</c>, <c>complete</c>, <c>error</c>, <c>failed</c>, <c>cancelled</c>),
/// <c>attempt</c>, <c>make_after</c> (ms), <c>distributor</c>, <c>on_success</c> and <c>on_error</c>
/// (0/1), <c>node</c>; and Reactor's <c>max_attempt</c>, <c>retry_multiplier</c> (ms), <c>timeout</c>
/// (ms), <c>cron</c>, <c>time_zone</c> and <c>cron_misfire</c> (0/1) for cron jobs, <c>v</c> (format version), <c>progress</c>
/// (the last reported fraction, 0 to 1, as invariant text), <c>progress_message</c>, and <c>attempts</c>: the
/// failed-attempt history (<see cref="JobRecord.FailedAttempts"/>, at most <see cref="JobRecord.MaxFailedAttempts"/>
/// entries of at most <see cref="JobRecord.MaxAttemptErrorLength"/> characters of error), a JSON array of
/// <c>{"a": attempt, "t": Unix ms, "e": "Type: message\nstack"}</c>, oldest first, absent while no attempt
/// failed (and in records written before it existed: an empty history; a damaged value also reads as empty). A field whose value is unset is absent. A finished record
/// (complete, failed, cancelled) expires after <see cref="RedisJobStoreOptions.CompletedRecordTtl"/>.
/// </description></item>
/// <item><term><c>{prefix}:node:{node}:jobs</c></term><description>sorted set, the ids of one node's
/// records. Score: the Unix ms at which the record expires, <c>+inf</c> for an unfinished record, so
/// entries of expired records are trimmed by score on every save and the index never outgrows the
/// records.</description></item>
/// <item><term><c>{prefix}:status:{status}</c></term><description>sorted set per status (the status names
/// above, with the space of <c>in progress</c> escaped), the ids of records last saved with that status.
/// Score: the Unix ms of that save, so pages come newest first by rank (the dashboard's paging, which
/// stays O(log n) at a million records). Entries of finished records older than the TTL are trimmed on
/// saves; readers skip entries whose record is gone or has another status.</description></item>
/// <item><term><c>{prefix}:ids</c></term><description>sorted set of every record's id, all with score 0,
/// so a lexicographic range (<c>ZRANGEBYLEX</c>) finds ids by prefix in O(log n + matches) at a million
/// records. Written with the status indexes; an id leaves it when its record is deleted or when its
/// expired entry is trimmed from a status index.</description></item>
/// <item><term><c>{prefix}:name:{name}:jobs</c></term><description>sorted set per job name, the ids of
/// the records with that name. Score: like the node index, the Unix ms at which the record expires,
/// <c>+inf</c> while unfinished, so a page by rank shows unfinished records first, then the most
/// recently finished; entries of expired records are trimmed by score on every save of that name.
/// Written in the same pipelined batch as the status indexes; removed on delete.</description></item>
/// <item><term><c>{prefix}:names</c></term><description>set of the job names that ever saved a
/// record, for the dashboard's name selector. Like <c>{prefix}:nodes</c> it only grows (one member per
/// distinct name, not per record).</description></item>
/// <item><term><c>{prefix}:nodes</c></term><description>set of the node names that ever saved a record,
/// so tools find every node's index without scanning keys.</description></item>
/// </list>
/// Ids, node names and job names are percent-encoded (every UTF-8 byte outside <c>[A-Za-z0-9_.-]</c>), so no name
/// can add a <c>:</c> segment, a cluster hash tag or whitespace to a key, and distinct names never share
/// a key. Nothing enumerates keys (no KEYS or SCAN): a node's records are found through its index.
/// For Redis Cluster, put a hash tag in the prefix (<c>{reactor}</c>): a save touches several keys in one
/// transaction, which Cluster allows only within one slot.
/// </summary>
public sealed class RedisKeys
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Creates the layout under <paramref name="prefix"/>.</summary>
    public RedisKeys(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        Prefix = prefix;
    }

    /// <summary>The prefix of every key.</summary>
    public string Prefix { get; }

    /// <summary>The hash holding job <paramref name="id"/>.</summary>
    public RedisKey Job(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return $"{Prefix}:job:{Escape(id)}";
    }

    /// <summary>The sorted set indexing the records of <paramref name="node"/>.</summary>
    public RedisKey NodeJobs(string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return $"{Prefix}:node:{Escape(node)}:jobs";
    }

    /// <summary>The sorted set indexing the records whose job name is <paramref name="name"/>.</summary>
    public RedisKey NameJobs(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return $"{Prefix}:name:{Escape(name)}:jobs";
    }

    /// <summary>The set of job names that saved a record.</summary>
    public RedisKey Names => $"{Prefix}:names";

    /// <summary>The sorted set (all scores 0) of every record's id, for finding ids by prefix.</summary>
    public RedisKey Ids => $"{Prefix}:ids";

    /// <summary>The sorted set of the ids of records whose status is <paramref name="status"/>.</summary>
    public RedisKey Status(JobStatus status) => $"{Prefix}:status:{Escape(RedisRecordFormat.StatusName(status))}";

    /// <summary>The set of node names that saved a record.</summary>
    public RedisKey Nodes => $"{Prefix}:nodes";

    /// <summary>
    /// Percent-encodes every UTF-8 byte outside <c>[A-Za-z0-9_.-]</c> (so <c>%</c> itself too, which
    /// keeps the mapping one-to-one). Throws <see cref="ArgumentException"/> for a string that is not
    /// valid Unicode (a lone surrogate would otherwise collide with U+FFFD).
    /// </summary>
    public static string Escape(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.All(IsSafe))
        {
            return name;
        }
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(name);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("a job id or node name must be valid Unicode (it holds a lone surrogate)", nameof(name), e);
        }
        var escaped = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b < 0x80 && IsSafe((char)b))
            {
                escaped.Append((char)b);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }

    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';
}
