using System.Text.Json;

namespace Flux.ModelBuilder.Import.Vae;

/// <summary>Typed reads of a diffusers config.json whose errors name the file, the field and what was found.</summary>
internal readonly struct DiffusersJson(JsonElement root, string path)
{
    public int Int(string field) => OptionalInt(field) ?? throw Missing(field, "an integer");

    public double Double(string field) => OptionalDouble(field) ?? throw Missing(field, "a number");

    public int? OptionalInt(string field) =>
        Find(field) is not { } value ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) ? i
        : throw Wrong(field, "an integer", value);

    public double? OptionalDouble(string field) =>
        Find(field) is not { } value ? null
        : value.ValueKind == JsonValueKind.Number ? value.GetDouble()
        : throw Wrong(field, "a number", value);

    public bool? OptionalBool(string field) =>
        Find(field) is not { } value ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw Wrong(field, "true or false", value);

    public string? OptionalString(string field) =>
        Find(field) is not { } value ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Wrong(field, "a string", value);

    public int[] IntArray(string field)
    {
        if (Find(field) is not { } value)
        {
            throw Missing(field, "an array of integers");
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Wrong(field, "an array of integers", value);
        }

        var items = new int[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            items[i] = item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var n) ? n : throw Wrong($"{field}[{i}]", "an integer", item);
            i++;
        }

        return items;
    }

    /// <summary>An optional list of block type names must have one entry per level, each <paramref name="expected"/>.</summary>
    public void RequireBlockTypes(string field, string expected, int levels)
    {
        if (Find(field) is not { } value)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != levels)
        {
            throw new InvalidDataException($"{path}: {field} must list {levels} block types (one per block_out_channels entry), found {value.GetRawText()}.");
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() != expected)
            {
                throw new InvalidDataException($"{path}: {field}[{i}] is {item.GetRawText()}; allowed: \"{expected}\".");
            }

            i++;
        }
    }

    private JsonElement? Find(string field) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private InvalidDataException Missing(string field, string expected) =>
        new($"{path}: field '{field}' is missing; it must be {expected}.");

    private InvalidDataException Wrong(string field, string expected, JsonElement found) =>
        new($"{path}: field '{field}' is {found.GetRawText()}; it must be {expected}.");
}
