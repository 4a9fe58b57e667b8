using Flux.ModelBuilder.Import.SafeTensors;
using Flux.ModelBuilder.Import.Text;
using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Import;

/// <summary>
/// Plans of the text encoders: config read, checkpoint opened and validated, graph built with a checkpoint source,
/// every tensor accounted for. The graphs are Import/Text's (transformers' CLIPTextModel and T5EncoderModel).
/// </summary>
internal static class TextEncoderSteps
{
    public const string ClipComponent = "text_encoder";
    public const string T5Component = "text_encoder_2";

    /// <summary>transformers' CLIPTextModel (FLUX.1 text_encoder/): names used as they are.</summary>
    public static (ComponentStep Step, ClipTextConfig Config) Clip(string source, WeightPrecision precision, Action<IDisposable> own, Action<IEnumerable<string>> inputs) =>
        Plan(source, ClipComponent, precision, own, inputs, ClipTextConfig.Read, ClipTextGraph.Build,

            // CLIPTextEmbeddings registers position_ids (arange(77)) as a buffer; older save_pretrained files keep it.
            _ => new Dictionary<string, string> { ["text_model.embeddings.position_ids"] = "a buffer of 0..L-1 the graph builds itself" });

    /// <summary>
    /// transformers' T5EncoderModel (FLUX.1 text_encoder_2/, sharded). Weights are stored at the package precision but
    /// computed in fp32 (a Cast after each weight), so T5-XXL's activations, which overflow fp16, never are fp16.
    /// </summary>
    public static (ComponentStep Step, T5Config Config) T5(string source, WeightPrecision precision, Action<IDisposable> own, Action<IEnumerable<string>> inputs) =>
        Plan(source, T5Component, precision, own, inputs, T5Config.Read, T5EncoderGraph.Build, parameters =>
        {
            var used = T5EncoderGraph.EmbeddingKey(parameters);
            var tied = used == T5EncoderGraph.SharedEmbedding ? T5EncoderGraph.EncoderEmbedding : T5EncoderGraph.SharedEmbedding;
            return new Dictionary<string, string> { [tied] = $"tied to {used} (T5EncoderModel._tied_weights_keys)" };
        });

    /// <summary>Opens a checkpoint that <paramref name="own"/> disposes when the import ends.</summary>
    public static SafeTensorsCheckpoint Open(string path, Action<IDisposable> own)
    {
        var checkpoint = SafeTensorsCheckpoint.Open(path);
        own(checkpoint);
        return checkpoint;
    }

    /// <summary>
    /// A transformers folder (config.json + safetensors, sharded or not) whose names the graph uses as they are: reads
    /// the config, builds the graph on the checkpoint, and requires every tensor used but <paramref name="knownUnused"/>'s.
    /// </summary>
    private static (ComponentStep Step, TConfig Config) Plan<TConfig>(
        string source,
        string component,
        WeightPrecision precision,
        Action<IDisposable> own,
        Action<IEnumerable<string>> inputs,
        Func<string, TConfig> read,
        Func<TConfig, IParameterSource, BuiltGraph> build,
        Func<CheckpointParameters, IReadOnlyDictionary<string, string>> knownUnused)
    {
        var folder = Path.Combine(source, component);
        var configPath = Path.Combine(folder, "config.json");
        var config = read(configPath);
        var checkpoint = Open(folder, own);
        var parameters = new CheckpointParameters(checkpoint, KeyMaps.Identity, precision, configPath);
        var graph = build(config, parameters);
        parameters.EnsureAllUsed(knownUnused(parameters));
        inputs([.. checkpoint.Files.Select(f => f.Path), checkpoint.Source, configPath]);
        return (ModelImporter.GraphStep(component, parameters, (component, graph)), config);
    }
}
