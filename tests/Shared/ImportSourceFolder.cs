using Flux.ModelBuilder.Import;

namespace Flux.Tests.Shared;

/// <summary>
/// A small FLUX.1 source folder in the Hugging Face layout for `flux model import` (CLI, service and benchmark):
/// seeded random weights under the real key names, tokenizers from the repository's test data.
/// </summary>
internal static class ImportSourceFolder
{
    /// <summary>Every component, the transformer in diffusers names, sharded with an index.</summary>
    public static string Write(string root, SmallFlux sizes)
    {
        var source = WriteWithoutTransformer(root, sizes.Context, sizes.Pooled);
        var transformer = Path.Combine(source, "transformer");
        var diffusers = FluxCheckpoints.ToDiffusers(FluxCheckpoints.Bfl(sizes, seed: 21), sizes);
        SafeTensorsWriter.WriteSharded(transformer, "diffusion_pytorch_model", [.. FluxCheckpoints.AsTensors(diffusers, "BF16")], tensorsPerShard: 20);
        File.WriteAllText(Path.Combine(transformer, "config.json"), FluxCheckpoints.DiffusersConfig(sizes));
        return source;
    }

    /// <summary>model_index.json, tokenizers, text encoders of widths <paramref name="t5Width"/> / <paramref name="clipWidth"/> and the VAE; the transformer comes as BFL's single file (<see cref="ImportRequest.TransformerFile"/>).</summary>
    public static string WriteWithoutTransformer(string root, int t5Width, int clipWidth)
    {
        var source = Directory.CreateDirectory(Path.Combine(root, "FLUX.1-small")).FullName;
        File.WriteAllText(Path.Combine(source, "model_index.json"), """{"_class_name": "FluxPipeline"}""");
        var tokenizer = Directory.CreateDirectory(Path.Combine(source, "tokenizer")).FullName;
        File.Copy(TokenizerTestFiles.ClipVocabJson, Path.Combine(tokenizer, "vocab.json"));
        File.Copy(TokenizerTestFiles.ClipMergesTxt, Path.Combine(tokenizer, "merges.txt"));
        File.Copy(TokenizerTestFiles.T5SpieceModel, Path.Combine(Directory.CreateDirectory(Path.Combine(source, "tokenizer_2")).FullName, "spiece.model"));
        TextEncoderCheckpoints.WriteClip(Path.Combine(source, "text_encoder"), clipWidth, seed: 22);
        TextEncoderCheckpoints.WriteT5(Path.Combine(source, "text_encoder_2"), t5Width, seed: 23);
        VaeTestCheckpoint.WriteDiffusers(Path.Combine(source, "vae"), seed: 24);
        return source;
    }
}
