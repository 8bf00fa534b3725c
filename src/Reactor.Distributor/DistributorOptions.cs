using System.Net;
using Reactor.Distributor;
using Reactor.Protocol;

namespace Reactor;

/// <summary>How the distributor listens and dispatches.</summary>
public sealed class DistributorOptions
{
    /// <summary>Address to listen on. Default: 127.0.0.1 (loopback only).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port to listen on; 0 picks a free one (see <c>ReactorDistributor.Port</c>). Default: 5000.</summary>
    public int Port { get; set; } = 5000;

    /// <summary>Send jobs with <c>Node</c> only to that node, waiting for it if needed. Default: false.</summary>
    public bool AlwaysUseSpecifiedNode { get; set; }

    /// <summary>Most jobs kept while no node can take them; beyond it <c>Enqueue</c> throws. Default: 1,000,000.</summary>
    public int PendingCapacity { get; set; } = 1_000_000;

    /// <summary>
    /// Most jobs of one <c>EnqueueMany</c> call that are queued and not yet settled at once; a longer batch
    /// waits for its jobs to settle before it reads more of its input, so its memory is that of this many
    /// jobs whatever its length. Also the size of the batch's all-or-nothing prefix (see <c>EnqueueMany</c>).
    /// Default: 10,000.
    /// </summary>
    public int BatchWindow { get; set; } = 10_000;

    /// <summary>How long a job waits for a node that can run it before its error feedback. Default: 5 minutes.</summary>
    public TimeSpan PendingTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The starvation bound of <see cref="EnqueueOptions.Priority"/>: a job that has waited this long for credit
    /// is offered before every job that has waited less, whatever their priorities, and such aged jobs go oldest
    /// first. So once a low job has aged, no job enqueued after it starts before it. Default: 30 s; must be positive.
    /// </summary>
    public TimeSpan PriorityAging { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a job waits when nodes are connected but none announces its name (a typo, or a node
    /// not deployed yet) before it fails with an error feedback naming the job and the names the
    /// connected nodes know. A node announcing it that joins meanwhile runs it. With no node connected
    /// at all, <see cref="PendingTimeout"/> applies instead. Default: 30 s.
    /// </summary>
    public TimeSpan UnknownJobTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many nodes may be lost (process died, connection dropped, without a Goodbye) while they hold
    /// one job before the job fails with an error feedback instead of being dispatched again: a job that
    /// kills every node it runs on (a stack overflow, <c>Environment.FailFast</c>) must not loop through
    /// restarted nodes forever. A periodic run's result resets the count. Overridable per job with
    /// <c>EnqueueOptions.MaxDispatches</c>. Default: 3.
    /// </summary>
    public int MaxDispatches { get; set; } = 3;

    /// <summary>Heartbeat interval announced to nodes; a peer silent for three intervals is dropped. Default: 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time a new connection has to complete the handshake. Default: 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Shared secret nodes must prove in the handshake (HMAC-SHA256 over a per-connection nonce; the
    /// secret itself never crosses the wire). Required when <see cref="Host"/> is not loopback. When set,
    /// it must be at least <see cref="SharedSecret.MinLength"/> (16) characters, not counting surrounding
    /// whitespace: an empty or short secret fails <see cref="Validate"/>. Default: none.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>
    /// Redis address for durability: accepted-but-unsettled jobs survive an application restart and
    /// are dispatched again, and results stay readable for <see cref="ResultRetention"/>. Default: none (memory only).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// With <see cref="Redis"/>: <c>Enqueue</c> returns only after Redis acknowledged the job's journal
    /// entry (concurrent enqueues share one round trip), and throws <see cref="JournalWriteException"/>
    /// when Redis refuses it. Set to false to return at once and write the entry in the background: a
    /// crash of the application then loses the jobs of the journal round trip in flight (a few
    /// milliseconds of enqueues; see docs/reliability.md), and a refused write fails the job's feedback
    /// instead of the call. Default: true.
    /// </summary>
    public bool DurableEnqueue { get; set; } = true;

    /// <summary>Names this distributor's journal in Redis; a restarted app with the same name resumes it. Default: "default".</summary>
    public string Name { get; set; } = "default";

    /// <summary>Prefix of every Redis key. Default: "reactor".</summary>
    public string KeyPrefix { get; set; } = "reactor";

    /// <summary>
    /// With <see cref="Redis"/>: announce this distributor in Redis (<c>{KeyPrefix}:discovery</c>, see
    /// docs/scaling.md) so nodes started with <c>reactor node --discover</c> connect to it without a
    /// static list. The record holds <see cref="AnnounceEndpoint"/>, is renewed every third of
    /// <see cref="AnnounceTtl"/>, and is removed when the distributor stops gracefully. Default: false.
    /// </summary>
    public bool Announce { get; set; }

    /// <summary>
    /// The <c>host:port</c> nodes should dial, as announced. Default: <see cref="Host"/> and the bound
    /// port, or this machine's host name and the port when <see cref="Host"/> is a wildcard address.
    /// </summary>
    public string? AnnounceEndpoint { get; set; }

    /// <summary>How long an announcement holds without renewal: a killed instance drops out of discovery after at most this. Default: 10 s.</summary>
    public TimeSpan AnnounceTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long settled results stay readable in Redis. Default: 1 day.</summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long fork/join state (claims of published task ids, events, triggers) is kept after its
    /// last use; in Redis with <see cref="Redis"/>, in memory otherwise. Default: 1 day.
    /// </summary>
    public TimeSpan FlowRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Handlers by job name for results of jobs enqueued before a restart (see <see cref="OnResult"/>).</summary>
    internal Dictionary<string, Action<JobResult>> ResultHandlers { get; } = new(StringComparer.Ordinal);

    /// <summary>Set by <see cref="OnBatchResult"/>.</summary>
    internal Action<string, BatchResult>? BatchResultHandler { get; private set; }

    /// <summary>
    /// With a journal (<see cref="Redis"/>): runs <paramref name="handler"/> with the batch id (the first id
    /// <see cref="ReactorDistributor.EnqueueMany"/> returned) and the counts of a batch whose
    /// <c>onBatchComplete</c> lambda was lost because the application that enqueued it stopped or died before
    /// the batch completed. It runs in the restarted application (same <see cref="Name"/>) once the batch's
    /// last job settled; a batch whose input had not ended counts the jobs that were journaled. For one batch,
    /// the lambda or this handler runs, claimed once in Redis; both run only if the application died after the
    /// lambda started and before Redis recorded that it ran. A restarted application without a handler drops
    /// such batches. Without a journal it is never called.
    /// </summary>
    public DistributorOptions OnBatchResult(Action<string, BatchResult> handler)
    {
        BatchResultHandler = handler ?? throw new ArgumentNullException(nameof(handler));
        return this;
    }

    /// <summary>
    /// Runs <paramref name="handler"/> for final results of jobs named <paramref name="jobName"/> that
    /// were enqueued before an application restart: their lambdas died with the old process (needs <see cref="Redis"/>).
    /// </summary>
    public DistributorOptions OnResult(string jobName, Action<JobResult> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobName);
        ResultHandlers[jobName] = handler ?? throw new ArgumentNullException(nameof(handler));
        return this;
    }

    /// <summary>The per-name limits set with <see cref="Limit"/>, in the order they were set (checked by <see cref="Validate"/>).</summary>
    internal List<JobLimit> JobLimits { get; } = [];

    /// <summary>
    /// Limits how many jobs named <paramref name="jobName"/> run at once (<paramref name="concurrency"/>:
    /// dispatched and not finished, retries on the node included) and how many start per second
    /// (<paramref name="perSecond"/>: a token bucket holding 50 ms of tokens, at least one). Either may be
    /// left out. Jobs over the limit wait in the pending queue (they do not fail; the wait counts against
    /// their <see cref="PendingTimeout"/> or <c>EnqueueOptions.Timeout</c>). With <see cref="Redis"/> the
    /// limit is global to every application instance on that Redis (a lease per running job and a
    /// token bucket held in Redis); without, it is per distributor. A limit below 1, a blank name, a
    /// limit with neither value, or one name limited twice fails <see cref="Validate"/>. See docs/scheduling.md.
    /// </summary>
    public DistributorOptions Limit(string jobName, int? concurrency = null, double? perSecond = null)
    {
        // Recorded as given: the validator reports every bad limit at start, with the others.
        JobLimits.Add(new JobLimit(jobName ?? "", concurrency, perSecond));
        return this;
    }

    /// <summary>
    /// With <see cref="Redis"/> and a <see cref="Limit"/> with a concurrency: how long the concurrency
    /// leases an application instance holds in Redis survive without renewal (renewed every third of
    /// it). A killed instance's slots come back after at most this. Default: 10 s.
    /// </summary>
    public TimeSpan LimitLeaseTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A PKCS#12 (.pfx) certificate file: when set, nodes must connect with TLS (<c>NodeOptions.Tls</c>).
    /// Default: none (plain TCP).
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Password of <see cref="TlsCertificatePath"/>, if it has one.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>Frame, nesting and collection limits for everything read from nodes.</summary>
    public ProtocolLimits Limits { get; set; } = ProtocolLimits.Default;

    /// <summary>Throws <see cref="ArgumentException"/> describing every invalid setting.</summary>
    public void Validate()
    {
        var errors = Problems();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid distributor options: " + string.Join("; ", errors));
        }
    }

    // One list of checks for both callers: Validate() throws them, and the options validator
    // registered by the hosting extension hands them to ValidateOnStart so the host reports them.
    internal List<string> Problems()
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(Host, out var address) && Host != "localhost")
        {
            errors.Add($"Host '{Host}' is not an IP address");
        }
        else if (Secret is null && address is not null && !IPAddress.IsLoopback(address))
        {
            errors.Add($"listening on {Host} (beyond loopback) requires a Secret");
        }
        if (SharedSecret.Check(Secret) is { } secretProblem)
        {
            errors.Add(secretProblem);
        }
        if (TlsCertificatePath is not null && !File.Exists(TlsCertificatePath))
        {
            errors.Add($"TLS certificate '{TlsCertificatePath}' does not exist");
        }
        if (Port is < 0 or > 65535)
        {
            errors.Add("Port must be 0-65535");
        }
        if (Announce && Redis is null)
        {
            errors.Add("Announce needs Redis (the directory nodes discover distributors in)");
        }
        if (AnnounceTtl < TimeSpan.FromSeconds(1))
        {
            errors.Add("AnnounceTtl must be at least 1 s");
        }
        if (AnnounceEndpoint is not null && !(AnnounceEndpoint.LastIndexOf(':') is > 0 and var colon
            && int.TryParse(AnnounceEndpoint[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var announced)
            && announced is > 0 and <= 65535))
        {
            errors.Add($"AnnounceEndpoint '{AnnounceEndpoint}' is not host:port");
        }
        if (PendingCapacity < 1)
        {
            errors.Add("PendingCapacity must be at least 1");
        }
        if (BatchWindow < 1)
        {
            errors.Add("BatchWindow must be at least 1");
        }
        if (MaxDispatches < 1)
        {
            errors.Add("MaxDispatches must be at least 1");
        }
        if (UnknownJobTimeout <= TimeSpan.Zero)
        {
            errors.Add("UnknownJobTimeout must be positive");
        }
        if (PriorityAging <= TimeSpan.Zero)
        {
            errors.Add("PriorityAging must be positive");
        }
        if (PendingTimeout <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || HandshakeTimeout <= TimeSpan.Zero)
        {
            errors.Add("PendingTimeout, HeartbeatInterval and HandshakeTimeout must be positive");
        }
        JobLimit.Check(JobLimits, errors);
        if (LimitLeaseTtl < TimeSpan.FromSeconds(1))
        {
            errors.Add("LimitLeaseTtl must be at least 1 s");
        }
        if (FlowRetention <= TimeSpan.Zero)
        {
            errors.Add("FlowRetention must be positive");
        }
        return errors;
    }
}
