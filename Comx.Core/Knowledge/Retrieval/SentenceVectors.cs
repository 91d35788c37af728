using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Comx.Core.Knowledge.Retrieval;

/// <summary>
/// The vectors of a chunk's answer units (<see cref="AnswerUnits.Of"/>), computed by the ingest job and stored in the
/// index blob, so answering a question embeds the question and nothing else. Quantised like chunk vectors: int8 with
/// one scale per vector (388 bytes a unit for 384 dimensions).
/// </summary>
/// <remarks>
/// <see cref="Key"/> is a hash of the texts that were embedded. A reader compares it with the units it splits now, so
/// vectors computed under another split rule or heading are never paired with the wrong sentences (the answer then
/// embeds its units as it did before), and ingest reuses them only for the same texts.
/// </remarks>
public sealed class SentenceVectors : IEquatable<SentenceVectors>
{
    private readonly sbyte[] _values;
    private readonly float[] _scales;

    private SentenceVectors(ulong key, int dimensions, sbyte[] values, float[] scales)
    {
        Key = key;
        Dimensions = dimensions;
        _values = values;
        _scales = scales;
    }

    /// <summary>A hash of the embedded unit texts, in order.</summary>
    public ulong Key { get; }

    /// <summary>The number of units.</summary>
    public int Count => _scales.Length;

    public int Dimensions { get; }

    /// <summary>Quantises one vector per unit input (all of one, non-zero length).</summary>
    public static SentenceVectors Create(IReadOnlyList<string> inputs, IReadOnlyList<ReadOnlyMemory<float>> vectors)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(vectors);
        if (inputs.Count != vectors.Count || inputs.Count == 0)
        {
            throw new ArgumentException("Give one vector per unit, and at least one unit.", nameof(vectors));
        }

        var dimensions = vectors[0].Length;
        if (dimensions == 0 || vectors.Any(v => v.Length != dimensions))
        {
            throw new ArgumentException("Unit vectors must all have the same, non-zero length.", nameof(vectors));
        }

        var values = new sbyte[vectors.Count * dimensions];
        var scales = new float[vectors.Count];
        for (var u = 0; u < vectors.Count; u++)
        {
            scales[u] = Quantise(vectors[u].Span, values.AsSpan(u * dimensions, dimensions));
        }

        return new SentenceVectors(KeyOf(inputs), dimensions, values, scales);
    }

    /// <summary>
    /// Symmetric int8 quantisation of one vector (its largest magnitude maps to 127), as chunk and unit vectors are
    /// stored; returns the scale (value = q × scale).
    /// </summary>
    internal static float Quantise(ReadOnlySpan<float> vector, Span<sbyte> target)
    {
        var largest = 0f;
        foreach (var value in vector)
        {
            largest = Math.Max(largest, Math.Abs(value));
        }

        var scale = largest > 0 ? largest / 127f : 1f;
        for (var i = 0; i < vector.Length; i++)
        {
            target[i] = (sbyte)Math.Clamp(MathF.Round(vector[i] / scale), -127, 127);
        }

        return scale;
    }

    /// <summary>The hash <see cref="Key"/> is compared with: the unit texts, length-prefixed, in order.</summary>
    public static ulong KeyOf(IReadOnlyList<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var input in inputs)
        {
            var bytes = Encoding.UTF8.GetBytes(input);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(hash.GetHashAndReset());
    }

    /// <summary>Whether these vectors were computed from exactly <paramref name="inputs"/>.</summary>
    public bool Matches(IReadOnlyList<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs.Count == Count && KeyOf(inputs) == Key;
    }

    /// <summary>The cosine similarity of a unit-length query vector to unit <paramref name="unit"/>'s (unit-length) vector.</summary>
    public float Similarity(int unit, ReadOnlySpan<float> query)
    {
        if (query.Length != Dimensions)
        {
            return 0;
        }

        var vector = _values.AsSpan(unit * Dimensions, Dimensions);
        var sum = 0f;
        for (var i = 0; i < vector.Length; i++)
        {
            sum += vector[i] * query[i];
        }

        return sum * _scales[unit];
    }

    /// <summary>Writes <paramref name="vectors"/> (null: none) in the layout <see cref="Read"/> reads.</summary>
    internal static void Write(BinaryWriter writer, SentenceVectors? vectors)
    {
        if (vectors is null)
        {
            writer.Write7BitEncodedInt(0);
            return;
        }

        writer.Write7BitEncodedInt(vectors.Count);
        writer.Write7BitEncodedInt(vectors.Dimensions);
        writer.Write(vectors.Key);
        for (var u = 0; u < vectors.Count; u++)
        {
            writer.Write(vectors._scales[u]);
            writer.Write(MemoryMarshal.AsBytes(vectors._values.AsSpan(u * vectors.Dimensions, vectors.Dimensions)));
        }
    }

    /// <summary>
    /// Reads one chunk's unit vectors: the unit count (0: none, and nothing follows), the dimensions, the 8-byte key,
    /// then per unit a float32 scale and that many int8 values.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is truncated or out of range.</exception>
    internal static SentenceVectors? Read(BinaryReader reader)
    {
        var count = reader.Read7BitEncodedInt();
        if (count == 0)
        {
            return null;
        }

        var dimensions = reader.Read7BitEncodedInt();
        if (count is < 0 or > AnswerUnits.MaxUnits || dimensions is <= 0 or > 4096)
        {
            throw new InvalidDataException("Retrieval index sentence vectors are corrupt.");
        }

        var key = reader.ReadUInt64();
        var values = new sbyte[count * dimensions];
        var scales = new float[count];
        for (var u = 0; u < count; u++)
        {
            scales[u] = reader.ReadSingle();
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan(u * dimensions, dimensions)));
        }

        return new SentenceVectors(key, dimensions, values, scales);
    }

    public bool Equals(SentenceVectors? other) =>
        other is not null && (ReferenceEquals(this, other) || (Key == other.Key && Dimensions == other.Dimensions
            && _scales.AsSpan().SequenceEqual(other._scales) && _values.AsSpan().SequenceEqual(other._values)));

    public override bool Equals(object? obj) => Equals(obj as SentenceVectors);

    public override int GetHashCode() => HashCode.Combine(Key, Count, Dimensions);
}
