using System.Reflection;
using MessagePack;
using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Framing;

/// <summary>
/// Checks what the MessagePack formatters let through but the message contracts forbid: an envelope
/// that is not <c>[type, fields]</c>, a type code this build does not know, and required fields that
/// are missing or nil (the formatters fill a missing field with null, which no handler expects).
/// </summary>
internal static class MessageShape
{
    /// <summary>
    /// How many fields each message must have: up to its last required field (protocol.md section 5, the
    /// Req. column). Checked before decoding, because a formatter fills a missing int or bool with 0 or
    /// false, which reads as a different message (a Result without Final and Attempt would be a non-final
    /// result of attempt 0). Optional trailing fields (Hello.AuthProof, the trace context, Result.Reason,
    /// Greeting.MaxProtocolVersion) may be left out. A type not listed here has no minimum.
    /// </summary>
    private static readonly Dictionary<int, int> RequiredFields = new()
    {
        [MessageType.Greeting] = 4,
        [MessageType.Hello] = 5,
        [MessageType.Welcome] = 2,
        [MessageType.Reject] = 1,
        [MessageType.Dispatch] = 9,
        [MessageType.Result] = 6,
        [MessageType.Credit] = 1,
        [MessageType.Cancel] = 1,
        [MessageType.Heartbeat] = 0,
        [MessageType.Goodbye] = 1,
        [MessageType.ResultAck] = 1,
        [MessageType.Publish] = 8,
        [MessageType.DispatchBatch] = 1,
        [MessageType.ResultAckRange] = 2,
    };

    private static readonly HashSet<int> KnownTypes = typeof(IReactorMessage)
        .GetCustomAttributes<UnionAttribute>()
        .Select(union => union.Key)
        .ToHashSet();

    /// <summary>Reads the envelope from a copy of <paramref name="reader"/>, leaving the caller's position alone.</summary>
    public static void CheckEnvelope(MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return; // reported by the caller once the formatter has returned null
        }
        var count = reader.ReadArrayHeader();
        if (count != 2)
        {
            throw new InvalidDataException($"malformed message: expected [type, fields], found an array of {count}");
        }
        var type = reader.ReadInt32();
        if (!KnownTypes.Contains(type))
        {
            throw new InvalidDataException($"unknown message type {type}");
        }
        if (RequiredFields.TryGetValue(type, out var required) && reader.NextMessagePackType == MessagePackType.Array)
        {
            var fields = reader.ReadArrayHeader();
            if (fields < required)
            {
                throw new InvalidDataException(
                    $"malformed message: type {type} needs at least {required} fields, found {fields} (a required field is missing)");
            }
        }
    }

    public static void CheckFields(IReactorMessage message)
    {
        switch (message)
        {
            case Greeting m:
                Require(m.DistributorId, "Greeting.DistributorId");
                Require(m.Nonce, "Greeting.Nonce");
                if (m.Nonce.Length != 16)
                {
                    // A short or empty nonce would make proofs repeat across connections (replayable).
                    throw new InvalidDataException($"malformed message: Greeting.Nonce has {m.Nonce.Length} bytes instead of 16");
                }
                break;
            case Hello m:
                Require(m.NodeName, "Hello.NodeName");
                Require(m.JobNames, "Hello.JobNames");
                Require(m.StorageKind, "Hello.StorageKind");
                break;
            case Welcome m:
                Require(m.DistributorId, "Welcome.DistributorId");
                break;
            case Reject m:
                Require(m.Reason, "Reject.Reason");
                break;
            case Dispatch m:
                CheckDispatch(m);
                break;
            case DispatchBatch m:
                CheckBatch(m);
                break;
            case Result m:
                Require(m.JobId, "Result.JobId");
                Require(m.Args, "Result.Args");
                if (m.Outcome is not (JobOutcome.Succeeded or JobOutcome.Failed or JobOutcome.Cancelled))
                {
                    throw new InvalidDataException($"malformed message: Result.Outcome {(int)m.Outcome} is not a known outcome");
                }
                break;
            case Cancel m:
                Require(m.JobId, "Cancel.JobId");
                break;
            case ResultAck m:
                Require(m.JobId, "ResultAck.JobId");
                break;
            case Goodbye m:
                Require(m.Reason, "Goodbye.Reason");
                break;
            case ResultAckRange m when m.First < 1 || m.Count < 1:
                throw new InvalidDataException(
                    $"malformed message: ResultAckRange needs First and Count of at least 1, found {m.First} and {m.Count}");
            case Publish m:
                CheckPublish(m);
                break;
            case Progress m:
                Require(m.JobId, "Progress.JobId");
                if (!double.IsFinite(m.Fraction) || m.Fraction is < 0 or > 1)
                {
                    throw new InvalidDataException("malformed message: Progress.Fraction must be a number from 0 to 1");
                }
                if (m.Message is { Length: > Progress.MaxMessageLength })
                {
                    throw new InvalidDataException($"malformed message: Progress.Message is longer than {Progress.MaxMessageLength} characters");
                }
                break;
        }
    }

    /// <summary>A Dispatch alone, or entry <paramref name="index"/> of a DispatchBatch (whose name is built only for the error).</summary>
    private static void CheckDispatch(Dispatch m, int index = -1)
    {
        if (m.JobId is null || m.Name is null || m.Args is null)
        {
            var prefix = index < 0 ? "Dispatch" : $"DispatchBatch.Jobs[{index}]";
            Require(m.JobId, prefix + ".JobId");
            Require(m.Name, prefix + ".Name");
            Require(m.Args, prefix + ".Args");
        }
    }

    private static void CheckBatch(DispatchBatch m)
    {
        Require(m.Jobs, "DispatchBatch.Jobs");
        if (m.Jobs.Count == 0)
        {
            throw new InvalidDataException("malformed message: DispatchBatch.Jobs is empty");
        }
        for (var i = 0; i < m.Jobs.Count; i++)
        {
            CheckDispatch(m.Jobs[i], i);
        }
    }

    private static void CheckPublish(Publish m)
    {
        Require(m.ParentJobId, "Publish.ParentJobId");
        Require(m.Name, "Publish.Name");
        Require(m.Data, "Publish.Data");
        Require(m.Events, "Publish.Events");
        if (!Enum.IsDefined(m.Kind))
        {
            throw new InvalidDataException($"malformed message: Publish.Kind {(int)m.Kind} is not a known kind");
        }
        if (m.Index < 0 || m.DelayMs < 0)
        {
            throw new InvalidDataException("malformed message: Publish.Index and Publish.DelayMs must not be negative");
        }
    }

    private static void Require(object? field, string name)
    {
        if (field is null)
        {
            throw new InvalidDataException($"malformed message: {name} is missing or nil");
        }
    }
}
