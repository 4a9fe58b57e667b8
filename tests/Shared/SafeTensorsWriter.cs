using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Flux.Tests.Shared;

/// <summary>One tensor to write: fp32 values stored as <see cref="DType"/> (F32, F16 or BF16, BF16 truncated so it is exact).</summary>
internal sealed record TestTensor(string Name, long[] Shape, float[] Values, string DType = "F32");

/// <summary>
/// The test side's own safetensors writer (huggingface/safetensors README "Format": u64 LE header length, JSON
/// header with dtype/shape/data_offsets, data), independent of the importer's reader, plus raw writers for
/// hostile files.
/// </summary>
internal static class SafeTensorsWriter
{
    public static void Write(string path, IEnumerable<TestTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            header["__metadata__"] = metadata;
        }

        using var data = new MemoryStream();
        foreach (var tensor in tensors)
        {
            var begin = data.Length;
            var bytes = Encode(tensor);
            data.Write(bytes);
            header[tensor.Name] = new { dtype = tensor.DType, shape = tensor.Shape, data_offsets = new[] { begin, data.Length } };
        }

        WriteRaw(path, JsonSerializer.Serialize(header), data.ToArray());
    }

    /// <summary>Writes the 8-byte length of <paramref name="headerJson"/>, the header and <paramref name="data"/> as they are.</summary>
    public static void WriteRaw(string path, string headerJson, byte[] data, ulong? claimedHeaderLength = null)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, claimedHeaderLength ?? (ulong)header.Length);
        file.Write(length);
        file.Write(header);
        file.Write(data);
    }

    /// <summary>Writes shards of at most <paramref name="tensorsPerShard"/> tensors and the index naming them (transformers' sharded layout).</summary>
    public static void WriteSharded(string folder, string baseName, IReadOnlyList<TestTensor> tensors, int tensorsPerShard)
    {
        Directory.CreateDirectory(folder);
        var shards = tensors.Chunk(tensorsPerShard).ToList();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < shards.Count; i++)
        {
            var name = $"{baseName}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            Write(Path.Combine(folder, name), shards[i]);
            foreach (var tensor in shards[i])
            {
                weightMap[tensor.Name] = name;
            }
        }

        var index = new { metadata = new { total_size = tensors.Sum(t => Encode(t).Length) }, weight_map = weightMap };
        File.WriteAllText(Path.Combine(folder, baseName + ".safetensors.index.json"), JsonSerializer.Serialize(index));
    }

    /// <summary>The value a tensor element holds after storing in <paramref name="dtype"/> (what a reference must compute with).</summary>
    public static float Stored(float value, string dtype) => dtype switch
    {
        "F16" => (float)(Half)value,
        "BF16" => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) & unchecked((int)0xFFFF0000)),
        _ => value,
    };

    private static byte[] Encode(TestTensor tensor)
    {
        var size = tensor.DType == "F32" ? 4 : 2;
        var bytes = new byte[tensor.Values.Length * size];
        for (var i = 0; i < tensor.Values.Length; i++)
        {
            var v = tensor.Values[i];
            switch (tensor.DType)
            {
                case "F32":
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), v);
                    break;
                case "F16":
                    BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(2 * i), (Half)v);
                    break;
                case "BF16":
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16));
                    break;
                default:
                    throw new ArgumentException($"test writer does not encode {tensor.DType}");
            }
        }

        return bytes;
    }
}
