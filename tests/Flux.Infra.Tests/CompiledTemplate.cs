using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flux.Infra.Tests;

/// <summary>
/// infra/main.bicep compiled once by the real Bicep CLI into ARM JSON, with the diagnostics of
/// the build. Modules compile to nested deployments whose templates are walked recursively.
/// </summary>
public sealed class CompiledTemplate : IDisposable
{
    private readonly string _outputDirectory = Directory.CreateTempSubdirectory("flux-infra-").FullName;

    public CompiledTemplate()
    {
        var outputFile = Path.Combine(_outputDirectory, "main.json");
        Build = BicepCli.Run("build", RepoPaths.MainBicep, "--outfile", outputFile, BicepCli.NoRestore);
        Json = File.Exists(outputFile) ? File.ReadAllText(outputFile) : string.Empty;
        Root = Json.Length > 0 ? JsonNode.Parse(Json)!.AsObject() : new JsonObject();
    }

    public BicepCli.Result Build { get; }

    /// <summary>The compiled template as text, for whole-template scans.</summary>
    public string Json { get; }

    public JsonObject Root { get; }

    /// <summary>Every resource in the template and its modules, each with the template declaring it.</summary>
    public IEnumerable<(JsonObject Template, JsonObject Resource)> AllResources() => ResourcesOf(Root);

    public IEnumerable<JsonObject> ResourcesOfType(string type) =>
        AllResources().Select(r => r.Resource).Where(r => (string?)r["type"] == type);

    /// <summary>The (module) template that declares the single resource of the given type.</summary>
    public JsonObject TemplateDeclaring(string type) =>
        AllResources().Where(r => (string?)r.Resource["type"] == type).Select(r => r.Template).Distinct().Single();

    /// <summary>The output value of a user-defined (or imported) function of a template.</summary>
    public static JsonNode FunctionOutput(JsonObject template, string name) =>
        template["functions"]!.AsArray()
            .Select(ns => ns!["members"]![name])
            .Single(member => member is not null)!["output"]!["value"]!;

    /// <summary>A node as JSON text with ARM expressions left readable ('...' not \u0027...\u0027).</summary>
    public static string Text(JsonNode node) => node.ToJsonString(ReadableJson);

    private static readonly JsonSerializerOptions ReadableJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEnumerable<JsonObject> Objects(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                yield return obj;
                foreach (var child in obj.Select(p => p.Value).SelectMany(Objects))
                {
                    yield return child;
                }

                break;
            case JsonArray array:
                foreach (var child in array.SelectMany(Objects))
                {
                    yield return child;
                }

                break;
        }
    }

    public void Dispose() => Directory.Delete(_outputDirectory, recursive: true);

    private static IEnumerable<(JsonObject, JsonObject)> ResourcesOf(JsonObject template)
    {
        // languageVersion 2.0 templates keep resources in an object keyed by symbolic name.
        var resources = template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject byName => byName.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (var resource in resources)
        {
            yield return (template, resource);
            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in ResourcesOf(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}
