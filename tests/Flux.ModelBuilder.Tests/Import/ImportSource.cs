using Flux.Tests.Shared;
using System.Text.Json;
using Flux.ModelBuilder.Import.Vae;
using Flux.ModelBuilder.Tests.Import.Vae;
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
        BflVaeFile = WriteVae(root, seed + 3, dtype);
        BflFile = Path.Combine(root, sizes.Dev ? "flux1-dev.safetensors" : "flux1-schnell.safetensors");
        SafeTensorsWriter.Write(BflFile, FluxCheckpoints.AsTensors(Bfl, dtype));
        DType = dtype;
    }

    public string Root { get; }

    public SmallFlux Sizes { get; }

    public string DType { get; }

    public SortedDictionary<string, (long[] Shape, float[] Values)> Bfl { get; }

    public string BflFile { get; }

    /// <summary>BFL's ae.safetensors layout of the same AutoEncoder weights as vae/.</summary>
    public string BflVaeFile { get; }

    /// <summary>The CLIP and T5 tensors as stored, by transformers' names.</summary>
    public Dictionary<string, float[]> Clip { get; }

    public Dictionary<string, float[]> T5 { get; }

    /// <summary>An AutoEncoder that upsamples 8x like FLUX.1 (four levels) at toy width, with BFL's 32 groups (a BFL file cannot state others).</summary>
    public static AutoencoderConfig VaeConfig { get; } = new()
    {
        InChannels = 3, Ch = 32, OutCh = 3, ChMult = [1, 1, 1, 1], NumResBlocks = 1, ZChannels = 16, NormGroups = 32, ScaleFactor = 0.3611, ShiftFactor = 0.1159,
    };

    private string WriteVae(string root, int seed, string dtype)
    {
        var levels = VaeConfig.ChMult.Count;
        var bfl = VaeTestParameters.RandomCheckpoint(BflAutoencoderLayout.Keys(VaeConfig), seed);
        var bflFile = Path.Combine(root, "ae.safetensors");
        SafeTensorsWriter.Write(bflFile, bfl.Select(kv => new TestTensor(kv.Key, kv.Value.Shape, kv.Value.Values, dtype)));
        var folder = Directory.CreateDirectory(Path.Combine(Root, "vae")).FullName;
        SafeTensorsWriter.Write(Path.Combine(folder, "diffusion_pytorch_model.safetensors"), bfl.Select(kv =>
        {
            var (key, shape) = BflAutoencoderLayout.ToDiffusers(kv.Key, kv.Value.Shape, levels);
            return new TestTensor(key, shape, kv.Value.Values, dtype);
        }));
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["_class_name"] = "AutoencoderKL",
            ["act_fn"] = "silu",
            ["block_out_channels"] = VaeConfig.ChMult.Select(m => m * VaeConfig.Ch).ToArray(),
            ["down_block_types"] = Enumerable.Repeat("DownEncoderBlock2D", levels).ToArray(),
            ["up_block_types"] = Enumerable.Repeat("UpDecoderBlock2D", levels).ToArray(),
            ["in_channels"] = 3,
            ["out_channels"] = 3,
            ["latent_channels"] = 16,
            ["layers_per_block"] = 1,
            ["norm_num_groups"] = 32,
            ["sample_size"] = 1024,
            ["scaling_factor"] = 0.3611,
            ["shift_factor"] = 0.1159,
            ["use_quant_conv"] = false,
            ["use_post_quant_conv"] = false,
        }));
        return bflFile;
    }

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
