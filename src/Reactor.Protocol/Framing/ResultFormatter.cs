using MessagePack;
using MessagePack.Formatters;
using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Framing;

/// <summary>
/// <see cref="Result"/> written by hand so its reason (key 6, protocol version 2) trails the array only when
/// set: a result without one is the six-field array a version 1 node writes, byte for byte.
/// </summary>
internal sealed class ResultFormatter(JobArgsFormatter args) : IMessagePackFormatter<Result?>
{
    private const int Fields = 6;

    public void Serialize(ref MessagePackWriter writer, Result? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var withReason = value.Reason != JobOutcomeReason.Unspecified;
        writer.WriteArrayHeader(withReason ? Fields + 1 : Fields);
        writer.Write(value.JobId);
        writer.Write((int)value.Outcome);
        args.Serialize(ref writer, value.Args, options);
        if (value.Error is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(value.Error);
        }
        writer.Write(value.Final);
        writer.Write(value.Attempt);
        if (withReason)
        {
            writer.Write((int)value.Reason);
        }
    }

    public Result? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        options.Security.DepthStep(ref reader);
        string? jobId = null, error = null;
        JobArgs? jobArgs = null;
        int outcome = 0, attempt = 0, reason = 0;
        var final = false;
        // Fields past the known ones are skipped (a newer peer); a short array is refused before this
        // runs (MessageShape), so a missing required field never reads as 0 or false.
        var count = reader.ReadArrayHeader();
        for (var i = 0; i < count; i++)
        {
            switch (i)
            {
                case 0: jobId = reader.ReadString(); break;
                case 1: outcome = reader.ReadInt32(); break;
                case 2: jobArgs = args.Deserialize(ref reader, options); break;
                case 3: error = reader.ReadString(); break;
                case 4: final = reader.ReadBoolean(); break;
                case 5: attempt = reader.ReadInt32(); break;
                case 6: reason = reader.TryReadNil() ? 0 : reader.ReadInt32(); break;
                default: reader.Skip(); break;
            }
        }
        reader.Depth--;
        return new Result(jobId!, (JobOutcome)outcome, jobArgs!, error, final, attempt)
        {
            // A reason that does not belong to the outcome (or that this build does not know) says nothing.
            Reason = JobOutcomeReasons.Fitting((JobOutcome)outcome, (JobOutcomeReason)reason),
        };
    }
}
