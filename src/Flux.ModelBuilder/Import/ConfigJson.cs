using System.Text.Json;

namespace Flux.ModelBuilder.Import;

/// <summary>Typed reads of a Hugging Face config.json whose errors name the file and the field.</summary>
internal static class ConfigJson
{
    public static JsonDocument Parse(string path)
    {
        if (!File.Exists(path))
        {
            throw new ImportException($"{path}: file not found");
        }

        try
        {
            var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new ImportException($"{path}: is a JSON {document.RootElement.ValueKind}, not an object");
            }

            return document;
        }
        catch (JsonException ex)
        {
            throw new ImportException($"{path}: not valid JSON ({ex.Message})", ex);
        }
    }

    public static int Int(JsonElement root, string field, string path, int fallback)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < 0)
        {
            throw new ImportException($"{path}: {field} is {value.GetRawText()}, not a non-negative integer");
        }

        return number;
    }

    public static bool Bool(JsonElement root, string field, string path, bool fallback)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ImportException($"{path}: {field} is {value.GetRawText()}, not true or false"),
        };
    }

    public static int[]? Ints(JsonElement root, string field, string path)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n) || n < 0))
        {
            throw new ImportException($"{path}: {field} is {value.GetRawText()}, not an array of non-negative integers");
        }

        return [.. value.EnumerateArray().Select(v => v.GetInt32())];
    }
}
