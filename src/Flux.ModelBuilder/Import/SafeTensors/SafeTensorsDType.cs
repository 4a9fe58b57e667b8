namespace Flux.ModelBuilder.Import.SafeTensors;

/// <summary>The element types of the safetensors format (huggingface/safetensors, Dtype), by their header spelling.</summary>
internal static class SafeTensorsDType
{
    private static readonly Dictionary<string, int> ElementBytes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1,
        ["U8"] = 1,
        ["I8"] = 1,
        ["F8_E4M3"] = 1,
        ["F8_E5M2"] = 1,
        ["I16"] = 2,
        ["U16"] = 2,
        ["F16"] = 2,
        ["BF16"] = 2,
        ["I32"] = 4,
        ["U32"] = 4,
        ["F32"] = 4,
        ["F64"] = 8,
        ["I64"] = 8,
        ["U64"] = 8,
    };

    public const string F32 = "F32";
    public const string F16 = "F16";
    public const string BF16 = "BF16";

    public static string Known => string.Join(", ", ElementBytes.Keys);

    /// <summary>Bytes per element, or null for a dtype the format does not define.</summary>
    public static int? SizeOf(string dtype) => ElementBytes.TryGetValue(dtype, out var size) ? size : null;
}
