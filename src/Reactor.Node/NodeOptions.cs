namespace Reactor;

/// <summary>How a node runs. Every default below is what <c>reactor node</c> uses when a flag is omitted.</summary>
public sealed class NodeOptions
{
    /// <summary>The node's name, unique among the nodes connected to one distributor. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>Distributors to connect to, as <c>host:port</c>. At least one, unless <see cref="Discover"/> is set.</summary>
    public IList<string> Distributors { get; } = [];

    /// <summary>
    /// Redis address of the discovery directory (<c>{DiscoverKeyPrefix}:discovery</c>) that distributors
    /// with <c>DistributorOptions.Announce</c> write to: the node connects to every live distributor
    /// listed there, joins new ones within <see cref="DiscoveryInterval"/>, and drops those whose record
    /// was withdrawn or expired. Works beside <see cref="Distributors"/> (static links are never dropped).
    /// Default: none.
    /// </summary>
    public string? Discover { get; set; }

    /// <summary>Key prefix of the discovery directory; the distributors' <c>KeyPrefix</c>. Default: "reactor".</summary>
    public string DiscoverKeyPrefix { get; set; } = "reactor";

    /// <summary>How often the node reads the discovery directory. Default: 1 s.</summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Directory of job definitions (<c>*.csx</c> scripts and <c>*.dll</c> modules), loaded at start.
    /// Default: null, meaning only <see cref="Jobs"/> defines jobs.
    /// </summary>
    public string? JobsDirectory { get; set; }

    /// <summary>Job definitions given in code (in-process nodes and tests). Runs after the directory loads.</summary>
    public Action<IJobRegistry>? Jobs { get; set; }

    /// <summary>"memory" (default) or "redis".</summary>
    public string Storage { get; set; } = "memory";

    /// <summary>Redis address when <see cref="Storage"/> is "redis" (<c>redis://host:port</c> or <c>host:port,options</c>).</summary>
    public string? Redis { get; set; }

    /// <summary>Jobs the node accepts from one distributor before it returns credit. Default: 1024.</summary>
    public int Capacity { get; set; } = 1024;

    /// <summary>Attempts per job (per run for periodic jobs) unless the job says otherwise. Default: 10.</summary>
    public int MaxAttempt { get; set; } = 10;

    /// <summary>The retry delay unit unless the job says otherwise. Default: 5 s.</summary>
    public TimeSpan RetryMultiplier { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How retry delays grow. Default: <see cref="RetryBackoff.ExponentialJitter"/>.</summary>
    public RetryBackoff RetryBackoff { get; set; } = RetryBackoff.ExponentialJitter;

    /// <summary>Most deferred jobs (<c>Defer</c>) running on the thread pool at once. Default: 20.</summary>
    public int MaxDeferred { get; set; } = 20;

    /// <summary>
    /// The longest one piece of work may hold the reactor loop (job code between two awaits, when the
    /// job has no shorter <c>Timeout</c>). Past it the node's watchdog moves the loop to a fresh
    /// thread, abandoning the blocked one: job code that overstayed fails (final error, no retry);
    /// anything else stuck makes the node drop its links so its jobs go to other nodes. Blocking work
    /// belongs in <c>Defer</c> jobs, which run on the thread pool. Default: 30 s.
    /// </summary>
    public TimeSpan LoopStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Delete a job's record when it completes. Default: true.</summary>
    public bool RemoveDoneJobs { get; set; } = true;

    /// <summary>Delete a job's record when it is cancelled. Default: true.</summary>
    public bool RemoveCancelledJobs { get; set; } = true;

    /// <summary>Delete a job's record when its last attempt fails. Default: false (kept for inspection).</summary>
    public bool RemoveFailedJobs { get; set; }

    /// <summary>
    /// Most job-record writes (saves and deletes with <c>--storage redis</c>) the node keeps in flight. At
    /// this many it stops returning credit, so its distributors keep new jobs waiting instead of the node
    /// piling writes on a Redis that is not keeping up; the credit goes out once writes drain below it.
    /// Jobs already on the node run on and still write, so the count can pass the bound by a few per job
    /// held. A write that times out or loses the connection is retried until Redis answers, and counts
    /// until then. Default: 4096.
    /// </summary>
    public int MaxPendingStoreWrites { get; set; } = 4096;

    /// <summary>On start, resume this node's unfinished jobs from storage (Redis). Default: true.</summary>
    public bool RetryJobsAtStart { get; set; } = true;

    /// <summary>Log each job's start and end at Information level. Default: true.</summary>
    public bool LogJobProcessing { get; set; } = true;

    /// <summary>Put <c>args["job_itself"]</c> (id, name, attempt, status, ...) into the args. Default: false.</summary>
    public bool MergeJobItselfToArgs { get; set; }

    /// <summary>
    /// Shared secret proven in the handshake; required by distributors that bind beyond loopback. When
    /// set, it must be at least <see cref="Reactor.Protocol.SharedSecret.MinLength"/> (16) characters, not
    /// counting surrounding whitespace: an empty or short secret fails <see cref="Validate"/>. Default: none.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>Connect to distributors with TLS. Default: false.</summary>
    public bool Tls { get; set; }

    /// <summary>
    /// SHA-1 thumbprint (hex) of a distributor certificate to trust even though no authority signed it
    /// (self-signed certificates). Default: none, meaning only certificates the system trusts.
    /// </summary>
    public string? TlsThumbprint { get; set; }

    /// <summary>
    /// How long dialling a distributor, the TLS handshake and the Greeting/Hello/Welcome exchange may each
    /// take before the attempt is abandoned and retried after the reconnect delay. Measured with the
    /// node's <see cref="TimeProvider"/>. Default: 10 s.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; it doubles up to <see cref="MaxReconnectDelay"/>. Default: 100 ms.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest reconnect delay. Default: 5 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a graceful stop waits for running jobs before it fires their cancellation tokens
    /// (they then get <see cref="CancellationGrace"/> more). Default: 10 s.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a job may keep running after its cancellation token fired (its <c>Timeout</c>, <c>JR.Cancel</c>,
    /// or shutdown) before the node ends the attempt without it, logs a warning, and leaves the code
    /// running unobserved. Default: 2 s.
    /// </summary>
    public TimeSpan CancellationGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The shortest time between two progress reports one job sends to its distributor; reports in between
    /// replace each other and the latest goes out when the interval ends. Default: 100 ms (at most 10 a second).
    /// </summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The service this node belongs to: it also announces each job as <c>service.job</c>, so a task
    /// published as <c>service.job</c> runs only on nodes of that service. Default: none.
    /// </summary>
    public string? Service { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> describing every invalid setting.</summary>
    public void Validate()
    {
        var errors = Problems();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid node options: " + string.Join("; ", errors));
        }
    }

    // One list of checks for both callers: Validate() throws them, and the options validator
    // registered by the hosting extension hands them to ValidateOnStart so the host reports them.
    internal List<string> Problems()
    {
        var errors = new List<string>();
        if (Service is not null && (Service.Length is 0 or > 100 || Service.Any(c => c is '.' or ':' || char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            errors.Add("Service must be 1-100 characters without '.', ':', spaces or control characters");
        }
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("Name is required");
        }
        else if (Name.Length > 200 || Name.Any(char.IsControl))
        {
            errors.Add("Name must be at most 200 characters without control characters");
        }
        if (Reactor.Protocol.SharedSecret.Check(Secret) is { } secretProblem)
        {
            errors.Add(secretProblem);
        }
        if (Distributors.Count == 0 && Discover is null)
        {
            errors.Add("at least one distributor address (host:port) is required");
        }
        if (Discover is not null)
        {
            try
            {
                Reactor.Storage.Redis.RedisAddress.Parse(Discover);
            }
            catch (ArgumentException e)
            {
                errors.Add($"Discover: {e.Message}");
            }
        }
        if (DiscoveryInterval < TimeSpan.FromMilliseconds(10))
        {
            errors.Add("DiscoveryInterval must be at least 10 ms");
        }
        foreach (var address in Distributors)
        {
            if (!Reactor.Node.Links.DistributorAddress.TryParse(address, out _))
            {
                errors.Add($"distributor address '{address}' is not host:port");
            }
        }
        if (Capacity is < 1 or > 1_000_000)
        {
            errors.Add("Capacity must be between 1 and 1,000,000");
        }
        if (MaxAttempt < 1)
        {
            errors.Add("MaxAttempt must be at least 1");
        }
        if (RetryMultiplier < TimeSpan.Zero)
        {
            errors.Add("RetryMultiplier must not be negative");
        }
        if (LoopStallTimeout <= TimeSpan.Zero)
        {
            errors.Add("LoopStallTimeout must be positive");
        }
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            errors.Add("HandshakeTimeout must be positive");
        }
        if (CancellationGrace < TimeSpan.Zero || ShutdownGrace < TimeSpan.Zero)
        {
            errors.Add("ShutdownGrace and CancellationGrace must not be negative");
        }
        if (ProgressInterval < TimeSpan.FromMilliseconds(10))
        {
            errors.Add("ProgressInterval must be at least 10 ms");
        }
        if (MaxPendingStoreWrites is < 1 or > 10_000_000)
        {
            errors.Add("MaxPendingStoreWrites must be between 1 and 10,000,000");
        }
        if (MaxDeferred < 1)
        {
            errors.Add("MaxDeferred must be at least 1");
        }
        if (Storage is not ("memory" or "redis"))
        {
            errors.Add($"Storage must be 'memory' or 'redis', not '{Storage}'");
        }
        if (Storage == "redis" && string.IsNullOrWhiteSpace(Redis))
        {
            errors.Add("Storage 'redis' needs a Redis address");
        }
        if (JobsDirectory is null && Jobs is null)
        {
            errors.Add("define jobs with JobsDirectory or Jobs");
        }
        return errors;
    }
}

/// <summary>How the delay before a retry grows with the attempt number.</summary>
public enum RetryBackoff
{
    /// <summary>JobReactor's policy: attempt × multiplier (5 s, 10 s, 15 s, ...).</summary>
    Linear,

    /// <summary>multiplier × 2^(attempt-1), capped at one hour, with the upper half randomized so failed jobs spread out.</summary>
    ExponentialJitter,
}
