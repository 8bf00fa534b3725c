using MessagePack;
using MessagePack.Formatters;
using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Framing;

/// <summary>
/// <see cref="Dispatch"/>, the message sent once per job, written by hand: the same
/// <c>[jobId, name, args, runAt, period, defer, maxAttempt, retryMultiplier, timeout]</c> array the
/// generated formatter writes, but with args copied from <see cref="Dispatch.EncodedArgs"/> when the
/// distributor encoded them at enqueue, and job names (a handful per node) decoded once, not per job.
/// The trace context (keys 9 and 10) trails the array only when set, so an untraced Dispatch keeps the
/// nine-field form every peer knows. The cron schedule (keys 11 to 13) follows only for cron jobs, with
/// nil in keys 9 and 10 when the job carries no trace context.
/// </summary>
internal sealed class DispatchFormatter(JobArgsFormatter args) : IMessagePackFormatter<Dispatch?>
{
    private const int Fields = 9;
    private readonly Utf8StringCache _names = new(capacity: 64, maxLength: 200);

    public void Serialize(ref MessagePackWriter writer, Dispatch? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var traceFields = TraceContextField.Count(value.TraceParent, value.TraceState);
        var cron = value.Cron is not null;
        writer.WriteArrayHeader(cron ? Fields + 5 : Fields + traceFields);
        writer.Write(value.JobId);
        writer.Write(value.Name);
        if (value.EncodedArgs.IsEmpty)
        {
            args.Serialize(ref writer, value.Args, options);
        }
        else
        {
            writer.WriteRaw(value.EncodedArgs.Span);
        }
        writer.Write(value.RunAtUnixMs);
        writer.Write(value.PeriodMs);
        writer.Write(value.Defer);
        writer.Write(value.MaxAttempt);
        writer.Write(value.RetryMultiplierMs);
        writer.Write(value.TimeoutMs);
        if (!cron)
        {
            TraceContextField.Write(ref writer, traceFields, value.TraceParent, value.TraceState);
            return;
        }
        writer.Write(value.TraceParent);
        writer.Write(value.TraceParent is null ? null : value.TraceState);
        writer.Write(value.Cron);
        writer.Write(value.TimeZone);
        writer.Write(value.CronMisfire);
    }

    public Dispatch? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        options.Security.DepthStep(ref reader);
        string? jobId = null, name = null, traceParent = null, traceState = null, cron = null, timeZone = null;
        var misfire = 0;
        JobArgs? jobArgs = null;
        long runAt = 0, period = 0, retryMultiplier = 0, timeout = 0;
        var defer = false;
        var maxAttempt = 0;
        // Like the generated formatter: fields past the known ones are skipped (a newer peer), missing ones default.
        var count = reader.ReadArrayHeader();
        for (var i = 0; i < count; i++)
        {
            switch (i)
            {
                case 0: jobId = reader.ReadString(); break;
                case 1: name = _names.Read(ref reader); break;
                case 2: jobArgs = args.Deserialize(ref reader, options); break;
                case 3: runAt = reader.ReadInt64(); break;
                case 4: period = reader.ReadInt64(); break;
                case 5: defer = reader.ReadBoolean(); break;
                case 6: maxAttempt = reader.ReadInt32(); break;
                case 7: retryMultiplier = reader.ReadInt64(); break;
                case 8: timeout = reader.ReadInt64(); break;
                case 9: traceParent = TraceContextField.Read(ref reader); break;
                case 10: traceState = TraceContextField.Read(ref reader); break;
                case 11: cron = reader.TryReadNil() ? null : reader.ReadString(); break;
                case 12: timeZone = reader.TryReadNil() ? null : reader.ReadString(); break;
                case 13: misfire = reader.ReadInt32(); break;
                default: reader.Skip(); break;
            }
        }
        reader.Depth--;
        return new Dispatch(jobId!, name!, jobArgs!, runAt, period, defer, maxAttempt, retryMultiplier, timeout)
        {
            // A tracestate means nothing without the traceparent it belongs to.
            TraceParent = traceParent,
            TraceState = traceParent is null ? null : traceState,
            Cron = cron,
            TimeZone = cron is null ? null : timeZone,
            CronMisfire = misfire,
        };
    }
}
