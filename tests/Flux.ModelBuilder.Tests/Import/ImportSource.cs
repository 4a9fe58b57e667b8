using Flux.Tests.Shared;
using Flux.ModelBuilder.Tokenizers;

namespace Flux.ModelBuilder.Tests.Import;

/// <summary>A small FLUX.1 source folder in the Hugging Face layout (transformer in diffusers names, sharded), plus BFL's single file of the same weights.</summary>
internal sealed class ImportSource
{
    public ImportSource(string root, SmallFlux sizes, int seed = 11, string dtype = "BF16")
    {
        Root = Directory.CreateDirectory(Path.Combine(root, "source")).FullName;
        Sizes = sizes;
        Bfl = FluxCheckpoints.Bfl(sizes, seed);
        File.WriteAllText(Path.Combine(Root, "model_index.json"), """{"_class_name": "FluxPipeline"}""");
        ClipVocabulary.WriteTo(Directory.CreateDirectory(Path.Combine(Root, "tokenizer")).FullName);
        SentencePieceModelWriter.Write(Path.Combine(Directory.CreateDirectory(Path.Combine(Root, "tokenizer_2")).FullName, "spiece.model"));
        WriteDiffusersTransformer(Path.Combine(Root, "transformer"), FluxCheckpoints.ToDiffusers(Bfl, sizes), dtype);
        Clip = TextEncoderCheckpoints.WriteClip(Path.Combine(Root, "text_encoder"), sizes.Pooled, seed + 1);
        T5 = TextEncoderCheckpoints.WriteT5(Path.Combine(Root, "text_encoder_2"), sizes.Context, seed + 2);
        BflFile = Path.Combine(root, sizes.Dev ? "flux1-dev.safetensors" : "flux1-schnell.safetensors");
        SafeTensorsWriter.Write(BflFile, FluxCheckpoints.AsTensors(Bfl, dtype));
        DType = dtype;
    }

    public string Root { get; }

    public SmallFlux Sizes { get; }

    public string DType { get; }

    public SortedDictionary<string, (long[] Shape, float[] Values)> Bfl { get; }

    public string BflFile { get; }

    /// <summary>The CLIP and T5 tensors as stored, by transformers' names.</summary>
    public Dictionary<string, float[]> Clip { get; }

    public Dictionary<string, float[]> T5 { get; }

    public static void WriteDiffusersTransformer(string folder, IDictionary<string, (long[] Shape, float[] Values)> diffusers, string dtype, SmallFlux? sizes = null)
    {
        SafeTensorsWriter.WriteSharded(folder, "diffusion_pytorch_model", [.. FluxCheckpoints.AsTensors(diffusers, dtype)], tensorsPerShard: 20);
        if (sizes is not null || !File.Exists(Path.Combine(folder, "config.json")))
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), FluxCheckpoints.DiffusersConfig(sizes ?? InferSizes(diffusers)));
        }
    }

    private static SmallFlux InferSizes(IDictionary<string, (long[] Shape, float[] Values)> d)
    {
        var hidden = (int)d["x_embedder.weight"].Shape[0];
        var headDim = (int)d["transformer_blocks.0.attn.norm_q.weight"].Shape[0];
        return new SmallFlux(
            Dev: d.ContainsKey("time_text_embed.guidance_embedder.linear_1.weight"),
            Hidden: hidden,
            Heads: hidden / headDim,
            DoubleBlocks: d.Keys.Count(k => k.StartsWith("transformer_blocks.", StringComparison.Ordinal) && k.EndsWith(".norm1.linear.weight", StringComparison.Ordinal)),
            SingleBlocks: d.Keys.Count(k => k.StartsWith("single_transformer_blocks.", StringComparison.Ordinal) && k.EndsWith(".norm.linear.weight", StringComparison.Ordinal)),
            Context: (int)d["context_embedder.weight"].Shape[1],
            Pooled: (int)d["time_text_embed.text_embedder.linear_1.weight"].Shape[1]);
    }
}
