using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Reactor.Distributor.Durability;

/// <summary>
/// Group commit for the journal: every write requested while the previous round trip was in
/// flight goes out together in the next one, so many concurrent enqueues cost one Redis round
/// trip and each caller still waits for Redis to acknowledge its own entry.
/// </summary>
/// <remarks>
/// One dedicated thread issues the writes and waits for their replies. It never needs a
/// thread-pool thread, so callers that block in <c>Enqueue</c> cannot starve it. Entries that
/// Redis refused fail their callers; settles and removals that Redis refused are retried until it
/// accepts them (a result must not be forgotten because Redis was briefly full or away).
/// </remarks>
internal sealed partial class JournalWriter : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    // Counts a batch job's outcome only if this call took the job out of the journal: a transaction
    // retried after Redis ran it (reply lost) must not count the job twice, and a job counted here
    // can never be recovered (and counted again) by a restarted app.
    private static readonly LuaScript CountScript = LuaScript.Prepare(
        "if redis.call('HDEL', @jobs, @job) == 1 then redis.call('HINCRBY', @batch, @field, 1) end return 0");

    private readonly IDatabase _db;
    private readonly RedisKey _jobsKey;
    private readonly RedisKey _undeliveredKey;
    private readonly DistributorKeys _keys;
    private readonly string _resultPrefix;
    private readonly TimeSpan _retention;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    private Batch _next = new();
    private bool _closed;

    public JournalWriter(IDatabase db, DistributorKeys keys, TimeSpan retention, ILogger logger)
    {
        _db = db;
        _keys = keys;
        _jobsKey = keys.Jobs;
        _undeliveredKey = keys.Undelivered;
        _resultPrefix = keys.ResultPrefix;
        _retention = retention;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "reactor-journal" };
        _thread.Start();
    }

    /// <summary>Completes when Redis holds the entry; faults with <see cref="JournalWriteException"/> when it refused it.</summary>
    public Task RecordAsync(string jobId, byte[] entry) =>
        Enqueue(b => b.Records.Add(new HashEntry(jobId, entry)), b => b.Recorded.Task);

    /// <summary>
    /// Completes when Redis has, in one transaction, dropped the job from the journal, stored its
    /// result and marked it undelivered, and (for a job of a tracked batch) counted its outcome
    /// (<paramref name="outcomeField"/>) in the batch's hash. Retried until Redis accepts it; cancelled on shutdown.
    /// </summary>
    public Task SettleAsync(string jobId, byte[] storedResult, string? batchId = null, string? outcomeField = null) =>
        Enqueue(b => b.Settles.Add(new Settle(jobId, storedResult, batchId, outcomeField)), b => b.Settled.Task);

    /// <summary>The batch's feedback ran (or nobody was there to run it): forget the batch.</summary>
    public void MarkBatchDelivered(string batchId) => Enqueue(b => b.BatchesDone.Add(batchId), _ => Task.CompletedTask);

    /// <summary>The job's feedback ran: a restart need not deliver it again.</summary>
    public void MarkDelivered(string jobId) => Enqueue(b => b.Delivered.Add(jobId), _ => Task.CompletedTask);

    /// <summary>Drops a journal entry whose job never reached the dispatcher.</summary>
    public void Remove(string jobId) => Enqueue(b => b.Removed.Add(jobId), _ => Task.CompletedTask);

    /// <summary>Writes what is queued (bounded by <paramref name="timeout"/>), then stops the thread.</summary>
    public void Flush(TimeSpan timeout)
    {
        _stop.CancelAfter(timeout);
        lock (_gate)
        {
            _next.Closing = true;
        }
        _work.Release();
        _thread.Join();
    }

    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            _stop.Cancel();
            _work.Release();
            _thread.Join();
        }
        _stop.Dispose();
        _work.Dispose();
    }

    private Task Enqueue(Action<Batch> add, Func<Batch, Task> completion)
    {
        lock (_gate)
        {
            if (_closed)
            {
                var refused = new Batch();
                add(refused);
                refused.Refuse();
                return completion(refused);
            }
            add(_next);
            var task = completion(_next);
            if (_next.Count == 1)
            {
                _work.Release();
            }
            return task;
        }
    }

    private void Run()
    {
        Batch? carried = null;
        while (true)
        {
            try
            {
                _work.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                AbandonAll(carried);
                return;
            }
            Batch batch;
            lock (_gate)
            {
                batch = _next;
                _next = new Batch();
            }
            batch.Absorb(carried);
            carried = batch.Count > 0 ? Write(batch) : null;
            if (batch.Closing && carried is null)
            {
                AbandonAll(null);
                return;
            }
            if (carried is not null)
            {
                // Redis refused or was away: wait a little, then retry what must not be dropped.
                if (_stop.Token.WaitHandle.WaitOne(RetryDelay))
                {
                    AbandonAll(carried);
                    return;
                }
                _work.Release();
            }
        }
    }

    /// <summary>Sends the batch in one round trip; returns what must be retried, or null.</summary>
    private Batch? Write(Batch batch)
    {
        var record = batch.Records.Count > 0 ? _db.HashSetAsync(_jobsKey, [.. batch.Records]) : null;
        Task<bool>? settle = null;
        if (batch.Settles.Count > 0 || batch.Removed.Count > 0 || batch.Delivered.Count > 0 || batch.BatchesDone.Count > 0)
        {
            var tx = _db.CreateTransaction();
            foreach (var counted in batch.Settles)
            {
                if (counted.BatchId is { } batchId)
                {
                    _ = tx.ScriptEvaluateAsync(CountScript,
                        new { jobs = _jobsKey, job = (RedisValue)counted.JobId, batch = _keys.Batch(batchId), field = (RedisValue)counted.OutcomeField });
                }
            }
            var settled = batch.Settles.Select(s => (RedisValue)s.JobId).Concat(batch.Removed.Select(id => (RedisValue)id)).ToArray();
            if (settled.Length > 0)
            {
                _ = tx.HashDeleteAsync(_jobsKey, settled);
            }
            foreach (var written in batch.Settles)
            {
                _ = tx.StringSetAsync(_resultPrefix + written.JobId, written.Stored, _retention);
            }
            if (batch.Settles.Count > 0)
            {
                _ = tx.SetAddAsync(_undeliveredKey, [.. batch.Settles.Select(s => (RedisValue)s.JobId)]);
            }
            if (batch.Delivered.Count > 0)
            {
                _ = tx.SetRemoveAsync(_undeliveredKey, [.. batch.Delivered.Select(id => (RedisValue)id)]);
            }
            if (batch.BatchesDone.Count > 0)
            {
                _ = tx.SetRemoveAsync(_keys.Batches, [.. batch.BatchesDone.Select(id => (RedisValue)id)]);
                _ = tx.KeyDeleteAsync([.. batch.BatchesDone.Select(_keys.Batch)]);
            }
            settle = tx.ExecuteAsync();
        }
        if (record is not null)
        {
            if (Wait(record) is { } failure)
            {
                LogRecordFailed(_logger, batch.Records.Count, failure.Message);
                batch.Recorded.TrySetException(new JournalWriteException(
                    $"Redis did not accept the journal entry: {failure.Message}; the job was not enqueued", failure));
            }
            else
            {
                batch.Recorded.TrySetResult();
            }
        }
        if (settle is null)
        {
            return null;
        }
        var error = Wait(settle) ?? (settle.Result ? null : new RedisException("the transaction was discarded"));
        if (error is null)
        {
            batch.Settled.TrySetResult();
            return null;
        }
        LogSettleFailed(_logger, batch.Settles.Count + batch.Removed.Count + batch.Delivered.Count + batch.BatchesDone.Count, error.Message, RetryDelay);
        return batch.ForRetry();
    }

    private static Exception? Wait(Task task)
    {
        try
        {
            task.Wait();
            return null;
        }
        catch (AggregateException e)
        {
            return e.GetBaseException();
        }
    }

    private void AbandonAll(Batch? carried)
    {
        Batch rest;
        lock (_gate)
        {
            _closed = true;
            rest = _next;
            _next = new Batch();
        }
        rest.Absorb(carried);
        rest.Refuse();
        if (rest.Count > 0)
        {
            LogAbandoned(_logger, rest.Count);
        }
    }

    /// <summary>The writes of one round trip and the callers waiting on them.</summary>
    private sealed class Batch
    {
        public List<HashEntry> Records { get; } = [];
        public List<Settle> Settles { get; } = [];
        public List<string> Delivered { get; } = [];
        public List<string> BatchesDone { get; } = [];
        public List<string> Removed { get; } = [];
        public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Settled { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Closing { get; set; }
        public int Count => Records.Count + Settles.Count + Delivered.Count + Removed.Count + BatchesDone.Count;

        /// <summary>Fails every waiter: the writer has stopped.</summary>
        public void Refuse()
        {
            // Only a batch with records has callers to observe the failure; faulting an empty one
            // would surface as an unobserved task exception.
            if (Records.Count > 0)
            {
                Recorded.TrySetException(new JournalWriteException("the distributor is stopping; the job was not enqueued", null));
            }
            Settled.TrySetCanceled();
        }

        /// <summary>The settles and removals of this batch, with the same waiters, for another try.</summary>
        public Batch ForRetry()
        {
            var retry = new Batch { Settled = Settled, Closing = Closing };
            retry.Settles.AddRange(Settles);
            retry.Delivered.AddRange(Delivered);
            retry.BatchesDone.AddRange(BatchesDone);
            retry.Removed.AddRange(Removed);
            return retry;
        }

        /// <summary>Takes over a batch being retried: its writes go first, and its waiters follow this batch's settle.</summary>
        public void Absorb(Batch? earlier)
        {
            if (earlier is null)
            {
                return;
            }
            Settles.InsertRange(0, earlier.Settles);
            Delivered.InsertRange(0, earlier.Delivered);
            BatchesDone.InsertRange(0, earlier.BatchesDone);
            Removed.InsertRange(0, earlier.Removed);
            Closing |= earlier.Closing;
            var waiters = earlier.Settled;
            _ = Settled.Task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    waiters.TrySetResult();
                }
                else
                {
                    waiters.TrySetCanceled();
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>One job's settle: its stored result, and the batch counter to bump if it belongs to a tracked batch.</summary>
    private readonly record struct Settle(string JobId, byte[] Stored, string? BatchId, string? OutcomeField);

    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "Journal refused {Count} new jobs: {Reason}; their Enqueue calls throw")]
    private static partial void LogRecordFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 503, Level = LogLevel.Error, Message = "Journal could not record {Count} results or removals: {Reason}; retrying in {Delay}")]
    private static partial void LogSettleFailed(ILogger logger, int count, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Journal stopped with {Count} writes not acknowledged; their jobs stay journaled and run again after a restart")]
    private static partial void LogAbandoned(ILogger logger, int count);
}
