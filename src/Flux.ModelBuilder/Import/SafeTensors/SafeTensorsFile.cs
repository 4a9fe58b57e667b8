// Hand-written because no C# safetensors reader is served by this project's NuGet feed (nuget.tsv has none),
// and the format is small: 8 bytes of little-endian header length, a JSON header (name -> dtype, shape,
// data_offsets; optional "__metadata__"), then the tensor bytes (huggingface/safetensors, README "Format").
// Every header field is validated against the file before any tensor byte is read, because a checkpoint
// is untrusted input.
using System.IO.MemoryMappedFiles;
using System.Text.Json;

namespace Flux.ModelBuilder.Import.SafeTensors;

/// <summary>One tensor's header entry; <see cref="Begin"/> and <see cref="End"/> are relative to the data section.</summary>
internal sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);
}

/// <summary>A validated, memory-mapped safetensors file; tensor bytes are read through the map, never loaded whole.</summary>
internal sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The reference implementation refuses headers above 100 MB (safetensors MAX_HEADER_SIZE); so do we.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private readonly MemoryMappedFile? _map;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, MemoryMappedFile? map, long dataStart, IReadOnlyDictionary<string, SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>Header entries by name, in ordinal name order.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new ImportException($"{path}: file not found");
        }

        long fileLength = new FileInfo(path).Length;
        byte[] header;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (fileLength < 8)
            {
                throw new ImportException($"{path}: {fileLength} bytes is too short for a safetensors file (it starts with an 8-byte header length)");
            }

            Span<byte> lengthBytes = stackalloc byte[8];
            stream.ReadExactly(lengthBytes);
            ulong headerLength = BitConverter.ToUInt64(lengthBytes);
            if (headerLength > MaxHeaderBytes)
            {
                throw new ImportException($"{path}: header length {headerLength} bytes exceeds the {MaxHeaderBytes}-byte limit");
            }

            if ((long)headerLength > fileLength - 8)
            {
                throw new ImportException($"{path}: header length {headerLength} bytes is longer than the {fileLength - 8} bytes that follow it");
            }

            header = new byte[headerLength];
            stream.ReadExactly(header);
        }

        long dataStart = 8 + header.LongLength;
        var (tensors, metadata) = ParseHeader(path, header, fileLength - dataStart);
        var map = fileLength > dataStart
            ? MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read)
            : null;
        return new SafeTensorsFile(path, map, dataStart, tensors, metadata);
    }

    /// <summary>A read-only stream over one tensor's bytes, straight from the memory map.</summary>
    public Stream OpenRead(SafeTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.ByteLength == 0 || _map is null)
        {
            return Stream.Null;
        }

        return _map.CreateViewStream(_dataStart + tensor.Begin, tensor.ByteLength, MemoryMappedFileAccess.Read);
    }

    public void Dispose() => _map?.Dispose();

    private static (SortedDictionary<string, SafeTensorInfo> Tensors, Dictionary<string, string> Metadata) ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new ImportException($"{path}: header is not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ImportException($"{path}: header is a JSON {document.RootElement.ValueKind}, not an object of tensors");
            }

            var tensors = new SortedDictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);

            // EnumerateObject yields every property, duplicates included (a plain deserializer keeps the last one).
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new ImportException($"{path}: tensor '{property.Name}' appears twice in the header");
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(path, property.Value, metadata);
                    continue;
                }

                tensors.Add(property.Name, ReadTensor(path, property.Name, property.Value, dataLength));
            }

            CheckLayout(path, tensors.Values, dataLength);
            return (tensors, metadata);
        }
    }

    private static SafeTensorInfo ReadTensor(string path, string name, JsonElement entry, long dataLength)
    {
        string Where() => $"{path}: tensor '{name}'";
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new ImportException($"{Where()} is a JSON {entry.ValueKind}, not an object with dtype, shape and data_offsets");
        }

        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new ImportException($"{Where()} has no dtype string");
        }

        var dtype = dtypeElement.GetString()!;
        var elementBytes = SafeTensorsDType.SizeOf(dtype)
            ?? throw new ImportException($"{Where()} has unknown dtype '{dtype}' (known: {SafeTensorsDType.Known})");
        var shape = ReadIntegers(entry, "shape", Where);
        var offsets = ReadIntegers(entry, "data_offsets", Where);
        if (offsets.Length != 2)
        {
            throw new ImportException($"{Where()} has {offsets.Length} data_offsets, not [begin, end]");
        }

        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end || end > dataLength)
        {
            throw new ImportException($"{Where()} has data_offsets [{begin}, {end}] outside the {dataLength}-byte data section");
        }

        long expected = elementBytes;
        foreach (var dim in shape)
        {
            expected = dim == 0 ? 0 : expected > long.MaxValue / dim ? long.MaxValue : expected * dim;
        }

        if (expected != end - begin)
        {
            throw new ImportException(
                $"{Where()} has shape [{string.Join(", ", shape)}] of {dtype} ({expected} bytes) but data_offsets [{begin}, {end}] hold {end - begin} bytes");
        }

        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] ReadIntegers(JsonElement entry, string field, Func<string> where)
    {
        if (!entry.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new ImportException($"{where()} has no {field} array");
        }

        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
            {
                throw new ImportException($"{where()} has {field}[{i}] = {item.GetRawText()}, not a non-negative integer");
            }

            values[i++] = value;
        }

        return values;
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ImportException($"{path}: {MetadataKey} is a JSON {value.ValueKind}, not an object of strings");
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new ImportException($"{path}: {MetadataKey}.{item.Name} is a JSON {item.Value.ValueKind}, not a string");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new ImportException($"{path}: {MetadataKey}.{item.Name} appears twice");
            }
        }
    }

    /// <summary>The tensors must tile the data section exactly: no overlap, no gap, nothing after the last (as safetensors' own validate does).</summary>
    private static void CheckLayout(string path, IEnumerable<SafeTensorInfo> tensors, long dataLength)
    {
        long covered = 0;
        SafeTensorInfo? previous = null;
        foreach (var tensor in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            if (tensor.Begin < covered)
            {
                throw new ImportException(
                    $"{path}: tensor '{tensor.Name}' at data_offsets [{tensor.Begin}, {tensor.End}] overlaps tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}]");
            }

            if (tensor.Begin > covered)
            {
                throw new ImportException($"{path}: bytes [{covered}, {tensor.Begin}) before tensor '{tensor.Name}' belong to no tensor");
            }

            covered = tensor.End;
            previous = tensor;
        }

        if (covered != dataLength)
        {
            throw new ImportException($"{path}: the tensors cover {covered} of the {dataLength} data bytes; the rest belongs to no tensor");
        }
    }
}
