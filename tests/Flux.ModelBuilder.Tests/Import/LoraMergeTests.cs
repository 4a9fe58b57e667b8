using Flux.Tests.Shared;
using System.Runtime.InteropServices;
using Flux.ModelBuilder.Import;

namespace Flux.ModelBuilder.Tests.Import;

/// <summary>
/// LoRA merges checked against a C# restatement of the LoRA formula applied to the checkpoint in the LoRA's own
/// naming (kohya/BFL names to BFL's state dict, PEFT names to diffusers'): W' = W + scale * (alpha / rank) * up @ down.
/// </summary>
public sealed class LoraMergeTests
{
    private static readonly SmallFlux Sizes = new(Dev: true);

    [Fact]
    public void KohyaLora_MergedWhileImporting_EqualsTheCheckpointMergedBeforehand()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, Sizes, dtype: "F32");
        var random = new Random(3);
        var lora = new List<TestTensor>();
        var merged = Copy(source.Bfl);
        foreach (var (module, rank, alpha) in new[] { ("double_blocks.0.img_attn.qkv", 4, 2f), ("single_blocks.1.linear1", 2, 8f), ("final_layer.adaLN_modulation.1", 3, 3f) })
        {
            var (down, up) = Factors(random, merged[module + ".weight"].Shape, rank);
            var name = "lora_unet_" + module.Replace('.', '_');
            lora.Add(new TestTensor(name + ".lora_down.weight", [rank, down.Length / rank], down));
            lora.Add(new TestTensor(name + ".lora_up.weight", [up.Length / rank, rank], up));
            lora.Add(new TestTensor(name + ".alpha", [], [alpha]));
            Merge(merged[module + ".weight"], up, down, rank, 0.7f * alpha / rank);
        }

        var loraFile = dir.Sub("style.safetensors");
        SafeTensorsWriter.Write(loraFile, lora);
        var mergedFile = dir.Sub("merged.safetensors");
        SafeTensorsWriter.Write(mergedFile, FluxCheckpoints.AsTensors(merged, "F32"));

        var withLora = Weights(Import(source, dir.Sub("lora"), source.BflFile, new LoraSpec(loraFile, 0.7f)));
        var reference = Weights(Import(source, dir.Sub("reference"), mergedFile));
        var original = Weights(Import(source, dir.Sub("original"), source.BflFile));
        AssertClose(reference, withLora);
        Assert.NotEqual(original, withLora);
    }

    [Fact]
    public void PeftLora_OnSplitProjections_UpdatesTheirRowsOfTheFusedWeights()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, Sizes, dtype: "F32");
        var diffusers = FluxCheckpoints.ToDiffusers(source.Bfl, Sizes);
        var merged = Copy(diffusers);
        var random = new Random(4);
        var lora = new List<TestTensor>();
        foreach (var module in new[] { "transformer_blocks.0.attn.to_q", "transformer_blocks.1.attn.add_v_proj", "single_transformer_blocks.0.proj_mlp", "single_transformer_blocks.1.attn.to_k", "norm_out.linear" })
        {
            const int rank = 2; // no alpha: alpha = rank
            var (down, up) = Factors(random, merged[module + ".weight"].Shape, rank);
            lora.Add(new TestTensor($"transformer.{module}.lora_A.weight", [rank, down.Length / rank], down));
            lora.Add(new TestTensor($"transformer.{module}.lora_B.weight", [up.Length / rank, rank], up));
            Merge(merged[module + ".weight"], up, down, rank, 1f);
        }

        var loraFile = dir.Sub("peft.safetensors");
        SafeTensorsWriter.Write(loraFile, lora);
        var mergedSource = dir.Sub("merged-transformer");
        ImportSource.WriteDiffusersTransformer(mergedSource, merged, "F32", Sizes);

        var withLora = Weights(Import(source, dir.Sub("lora"), transformer: null, new LoraSpec(loraFile)));
        var reference = Weights(Import(source, dir.Sub("reference"), mergedSource));
        AssertClose(reference, withLora);
    }

    [Fact]
    public void LoraKeyThatMatchesNothing_IsAnErrorNamingIt_UnlessIgnored()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, Sizes);
        var loraFile = dir.Sub("te.safetensors");
        SafeTensorsWriter.Write(loraFile, [
            new TestTensor("lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", [1, 4], [1, 2, 3, 4]),
            new TestTensor("lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_up.weight", [4, 1], [1, 2, 3, 4]),
        ]);

        var error = Assert.Throws<ImportException>(() => Import(source, dir.Sub("out"), null, new LoraSpec(loraFile)));
        Assert.Contains("'lora_te1_text_model_encoder_layers_0_mlp_fc1'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("out")));

        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), T5MaxLength = 8, Loras = [new LoraSpec(loraFile)], LoraIgnoreUnknown = true });
        Assert.True(File.Exists(dir.Sub("out/transformer/model.onnx")));
    }

    [Fact]
    public void LoraForAnotherArchitecture_IsAnError()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, Sizes);
        var loraFile = dir.Sub("wide.safetensors");
        SafeTensorsWriter.Write(loraFile, [
            new TestTensor("lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight", [1, 64], new float[64]),
            new TestTensor("lora_unet_double_blocks_0_img_attn_qkv.lora_up.weight", [192, 1], new float[192]),
        ]);

        var error = Assert.Throws<ImportException>(() => Import(source, dir.Sub("out"), null, new LoraSpec(loraFile)));
        Assert.Contains("does not fit transformer weight 'double_blocks.0.img_attn.qkv.weight' [96, 32]", error.Message, StringComparison.Ordinal);
    }

    private static string Import(ImportSource source, string output, string? transformer, params LoraSpec[] loras)
    {
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = output, TransformerFile = transformer, T5MaxLength = 8, Loras = loras });
        return Path.Combine(output, "transformer", "model.onnx.data");
    }

    private static float[] Weights(string dataFile) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(dataFile)).ToArray();

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f * (1 + Math.Abs(expected[i])), $"weight byte offset {4 * i}: reference merge {expected[i]}, import {actual[i]}");
        }
    }

    /// <summary>W[o, i] += factor * sum_r up[o, r] * down[r, i], in double.</summary>
    private static void Merge((long[] Shape, float[] Values) weight, float[] up, float[] down, int rank, float factor)
    {
        var (rows, columns) = ((int)weight.Shape[0], (int)weight.Shape[1]);
        for (var o = 0; o < rows; o++)
        {
            for (var i = 0; i < columns; i++)
            {
                double sum = 0;
                for (var r = 0; r < rank; r++)
                {
                    sum += (double)up[o * rank + r] * down[r * columns + i];
                }

                weight.Values[o * columns + i] += (float)(factor * sum);
            }
        }
    }

    private static (float[] Down, float[] Up) Factors(Random random, long[] shape, int rank)
    {
        float[] Values(long n) => [.. Enumerable.Range(0, (int)n).Select(_ => (float)(random.NextDouble() - 0.5))];
        return (Values(rank * shape[1]), Values(shape[0] * rank));
    }

    private static SortedDictionary<string, (long[] Shape, float[] Values)> Copy(SortedDictionary<string, (long[] Shape, float[] Values)> dict) =>
        new(dict.ToDictionary(kv => kv.Key, kv => (kv.Value.Shape, (float[])kv.Value.Values.Clone())), StringComparer.Ordinal);
}
