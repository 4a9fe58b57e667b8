using System.Text.Json;

namespace Flux.ModelBuilder.Import.Text;

/// <summary>
/// Reads the fields of a Hugging Face <c>config.json</c> with transformers' defaults for absent ones and an
/// <see cref="InvalidDataException"/> naming the file, the field and the allowed range for bad ones.
/// </summary>
internal sealed class ConfigJson : IDisposable
{
    private readonly JsonDocument _document;

    private ConfigJson(string path, JsonDocument document)
    {
        Path = path;
        _document = document;
    }

    public string Path { get; }

    public static ConfigJson Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model config '{path}' does not exist", path);
        }

        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }

        var kind = document.RootElement.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidDataException($"{path}: the top level must be a JSON object, not {kind}");
        }

        return new ConfigJson(path, document);
    }

    /// <summary>An integer field in [<paramref name="min"/>, <paramref name="max"/>], <paramref name="fallback"/> when absent.</summary>
    public int Int(string field, int fallback, int min = 1, int max = int.MaxValue)
    {
        if (!TryGet(field, out var element))
        {
            return fallback;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
        {
            throw Invalid(field, $"{element.GetRawText()} is not an integer");
        }

        if (value < min || value > max)
        {
            throw Invalid(field, $"{value} is outside [{min}, {max}]");
        }

        return value;
    }

    /// <summary>A positive finite number below one (a norm epsilon), <paramref name="fallback"/> when absent.</summary>
    public float Epsilon(string field, float fallback)
    {
        if (!TryGet(field, out var element))
        {
            return fallback;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            throw Invalid(field, $"{element.GetRawText()} is not a number");
        }

        if (value <= 0 || value >= 1)
        {
            throw Invalid(field, $"{value} is outside (0, 1)");
        }

        return (float)value;
    }

    /// <summary>A string field that must be one of <paramref name="allowed"/>, <paramref name="fallback"/> when absent.</summary>
    public string Choice(string field, string fallback, params string[] allowed)
    {
        var value = OptionalString(field) ?? fallback;
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw Invalid(field, $"'{value}' is not supported (allowed: {string.Join(", ", allowed.Select(a => $"'{a}'"))})");
        }

        return value;
    }

    public string? OptionalString(string field)
    {
        if (!TryGet(field, out var element))
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw Invalid(field, $"{element.GetRawText()} is not a string");
    }

    public bool? OptionalBool(string field)
    {
        if (!TryGet(field, out var element))
        {
            return null;
        }

        return element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(field, $"{element.GetRawText()} is not true or false"),
        };
    }

    public InvalidDataException Invalid(string field, string problem) => new($"{Path}: '{field}' {problem}");

    public void Dispose() => _document.Dispose();

    /// <summary>An absent field takes transformers' default (the config class's keyword default); null is an error.</summary>
    private bool TryGet(string field, out JsonElement element)
    {
        if (!_document.RootElement.TryGetProperty(field, out element))
        {
            return false;
        }

        return element.ValueKind != JsonValueKind.Null ? true : throw Invalid(field, "is null");
    }
}
