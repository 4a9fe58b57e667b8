using System.Text.Json;

namespace Flux.ModelBuilder.Import.SafeTensors;

/// <summary>A tensor's header entry and the file that holds it.</summary>
internal sealed record CheckpointTensor(SafeTensorsFile File, SafeTensorInfo Info)
{
    public string Name => Info.Name;
}

/// <summary>
/// One checkpoint: a single safetensors file, or the shards a <c>*.safetensors.index.json</c> names in its
/// <c>weight_map</c> (the layout transformers' and diffusers' save_pretrained write for large models).
/// </summary>
internal sealed class SafeTensorsCheckpoint : IDisposable
{
    private const string IndexSuffix = ".safetensors.index.json";

    private readonly List<SafeTensorsFile> _files;

    private SafeTensorsCheckpoint(string source, List<SafeTensorsFile> files, SortedDictionary<string, CheckpointTensor> tensors)
    {
        Source = source;
        _files = files;
        Tensors = tensors;
    }

    /// <summary>The file or index the checkpoint was opened from.</summary>
    public string Source { get; }

    public IReadOnlyList<SafeTensorsFile> Files => _files;

    /// <summary>Every tensor of every shard by name, ordinal order.</summary>
    public IReadOnlyDictionary<string, CheckpointTensor> Tensors { get; }

    /// <summary>
    /// Opens <paramref name="path"/>: a <c>.safetensors</c> file, an index file, or a folder holding exactly
    /// one index (sharded) or exactly one <c>.safetensors</c> file.
    /// </summary>
    public static SafeTensorsCheckpoint Open(string path)
    {
        if (Directory.Exists(path))
        {
            return Open(FindInFolder(path));
        }

        if (!File.Exists(path))
        {
            throw new ImportException($"{path}: file not found");
        }

        return path.EndsWith(IndexSuffix, StringComparison.Ordinal) ? OpenSharded(path) : OpenSingle(path);
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }
    }

    private static string FindInFolder(string folder)
    {
        var indexes = Directory.GetFiles(folder, "*" + IndexSuffix);
        if (indexes.Length == 1)
        {
            return indexes[0];
        }

        var files = Directory.GetFiles(folder, "*.safetensors");
        if (indexes.Length == 0 && files.Length == 1)
        {
            return files[0];
        }

        throw new ImportException(
            $"{folder}: expected one *{IndexSuffix} or one *.safetensors file, found {indexes.Length} index files and {files.Length} safetensors files");
    }

    private static SafeTensorsCheckpoint OpenSingle(string path)
    {
        var file = SafeTensorsFile.Open(path);
        var tensors = new SortedDictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors.Values)
        {
            tensors.Add(info.Name, new CheckpointTensor(file, info));
        }

        return new SafeTensorsCheckpoint(path, [file], tensors);
    }

    private static SafeTensorsCheckpoint OpenSharded(string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var files = new List<SafeTensorsFile>();
        var tensors = new SortedDictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        try
        {
            foreach (var shardName in weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var shardPath = Path.Combine(folder, shardName);
                if (shardName.Contains('/') || shardName.Contains('\\') || !File.Exists(shardPath))
                {
                    throw new ImportException($"{indexPath}: shard '{shardName}' named in weight_map is missing from {folder}");
                }

                var shard = SafeTensorsFile.Open(shardPath);
                files.Add(shard);
                foreach (var info in shard.Tensors.Values)
                {
                    if (!weightMap.TryGetValue(info.Name, out var mapped) || mapped != shardName)
                    {
                        throw new ImportException(
                            $"{shardPath}: tensor '{info.Name}' is in this shard but {indexPath} maps it to {(mapped is null ? "no shard" : $"'{mapped}'")}");
                    }

                    tensors.Add(info.Name, new CheckpointTensor(shard, info));
                }
            }

            var absent = weightMap.Keys.FirstOrDefault(name => !tensors.ContainsKey(name));
            if (absent is not null)
            {
                throw new ImportException($"{indexPath}: tensor '{absent}' is mapped to shard '{weightMap[absent]}', which does not hold it");
            }

            return new SafeTensorsCheckpoint(indexPath, files, tensors);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    private static SortedDictionary<string, string> ReadWeightMap(string indexPath)
    {
        using var document = ConfigJson.Parse(indexPath);
        if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            throw new ImportException($"{indexPath}: no \"weight_map\" object");
        }

        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new ImportException($"{indexPath}: weight_map['{entry.Name}'] is a JSON {entry.Value.ValueKind}, not a shard file name");
            }

            if (!weightMap.TryAdd(entry.Name, entry.Value.GetString()!))
            {
                throw new ImportException($"{indexPath}: tensor '{entry.Name}' appears twice in weight_map");
            }
        }

        return weightMap;
    }
}
