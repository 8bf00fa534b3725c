using MessagePack;
using MessagePack.Formatters;
using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Framing;

/// <summary>
/// <see cref="Publish"/> written by hand only so the trace context (keys 8 and 9) can trail the array when
/// set and be left out when not: an untraced Publish is the same eight-field array the generated formatter writes.
/// </summary>
internal sealed class PublishFormatter(JobArgsFormatter args, StringArrayFormatter strings) : IMessagePackFormatter<Publish?>
{
    private const int Fields = 8;

    public void Serialize(ref MessagePackWriter writer, Publish? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var traceFields = TraceContextField.Count(value.TraceParent, value.TraceState);
        writer.WriteArrayHeader(Fields + traceFields);
        writer.Write(value.ParentJobId);
        writer.Write(value.Index);
        writer.Write((int)value.Kind);
        writer.Write(value.Name);
        args.Serialize(ref writer, value.Data, options);
        writer.Write(value.DelayMs);
        strings.Serialize(ref writer, value.Events, options);
        writer.Write(value.Global);
        TraceContextField.Write(ref writer, traceFields, value.TraceParent, value.TraceState);
    }

    public Publish? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        options.Security.DepthStep(ref reader);
        string? parentJobId = null, name = null, traceParent = null, traceState = null;
        JobArgs? data = null;
        string[]? events = null;
        var index = 0;
        var kind = 0;
        long delay = 0;
        var global = false;
        // Like the generated formatter: fields past the known ones are skipped (a newer peer), missing ones default.
        var count = reader.ReadArrayHeader();
        for (var i = 0; i < count; i++)
        {
            switch (i)
            {
                case 0: parentJobId = reader.ReadString(); break;
                case 1: index = reader.ReadInt32(); break;
                case 2: kind = reader.ReadInt32(); break;
                case 3: name = reader.ReadString(); break;
                case 4: data = args.Deserialize(ref reader, options); break;
                case 5: delay = reader.ReadInt64(); break;
                case 6: events = strings.Deserialize(ref reader, options); break;
                case 7: global = reader.ReadBoolean(); break;
                case 8: traceParent = TraceContextField.Read(ref reader); break;
                case 9: traceState = TraceContextField.Read(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        reader.Depth--;
        return new Publish(parentJobId!, index, (PublishKind)kind, name!, data!, delay, events!, global)
        {
            TraceParent = traceParent,
            TraceState = traceParent is null ? null : traceState,
        };
    }
}
