using System.Text.Json;
using System.Text.Json.Serialization;
using Flux.Tests.Shared;

namespace Flux.Inference.Tests.Text;

/// <summary>
/// Ids from an independent implementation (Hugging Face transformers.js), written by
/// tools/tokenizer-reference/generate.mjs into TestData/tokenizer-reference.json.
/// </summary>
internal sealed record TokenizerReference(
    [property: JsonPropertyName("clip")] ClipSpecials Clip,
    [property: JsonPropertyName("t5")] T5Specials T5,
    [property: JsonPropertyName("prompts")] IReadOnlyList<ReferencePrompt> Prompts)
{
    private static readonly string ReferenceJson = Path.Combine(AppContext.BaseDirectory, "TestData", "tokenizer-reference.json");

    private static readonly Lazy<TokenizerReference> Loaded = new(() =>
        JsonSerializer.Deserialize<TokenizerReference>(File.ReadAllText(ReferenceJson))
        ?? throw new InvalidDataException($"{ReferenceJson} is empty."));

    public static TokenizerReference Instance => Loaded.Value;

    public static TheoryData<string> PromptNames() => new(Instance.Prompts.Select(p => p.Name));

    public ReferencePrompt Prompt(string name) => Prompts.Single(p => p.Name == name);
}

internal sealed record ClipSpecials(
    [property: JsonPropertyName("bosId")] int BosId,
    [property: JsonPropertyName("eosId")] int EosId,
    [property: JsonPropertyName("padId")] int PadId);

internal sealed record T5Specials(
    [property: JsonPropertyName("eosId")] int EosId,
    [property: JsonPropertyName("padId")] int PadId);

internal sealed record ReferencePrompt(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("clip")] ReferenceIds Clip,
    [property: JsonPropertyName("t5")] ReferenceIds T5);

internal sealed record ReferenceIds(
    [property: JsonPropertyName("content")] long[] Content,
    [property: JsonPropertyName("ids77")] long[]? Ids77,
    [property: JsonPropertyName("ids256")] long[]? Ids256,
    [property: JsonPropertyName("ids512")] long[]? Ids512);
