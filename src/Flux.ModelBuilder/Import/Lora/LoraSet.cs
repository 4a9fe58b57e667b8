using Flux.ModelBuilder.Import.SafeTensors;
using Flux.ModelBuilder.Import.Transformer;

namespace Flux.ModelBuilder.Import.Lora;

/// <summary>
/// The LoRAs merged into the transformer while it is written. Accepts kohya/BFL names
/// (<c>lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight</c>, <c>.lora_up.weight</c>, <c>.alpha</c>) and
/// diffusers/PEFT names (<c>transformer.transformer_blocks.0.attn.to_q.lora_A.weight</c>, <c>.lora_B.weight</c>; no
/// alpha means alpha = rank). A PEFT adapter on a split projection (to_q) updates its rows of BFL's fused weight (qkv).
/// </summary>
internal sealed class LoraSet : IDisposable
{
    private const string KohyaPrefix = "lora_unet_";
    private const string PeftPrefix = "transformer.";

    private readonly List<SafeTensorsCheckpoint> _files = [];
    private readonly List<(LoraSpec Spec, Dictionary<string, LoraAdapter> Adapters, List<string> Unknown)> _loras = [];

    public static LoraSet Open(IReadOnlyList<LoraSpec> specs)
    {
        var set = new LoraSet();
        try
        {
            foreach (var spec in specs)
            {
                var checkpoint = SafeTensorsCheckpoint.Open(spec.Path);
                set._files.Add(checkpoint);
                set._loras.Add(Parse(spec, checkpoint));
            }

            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    /// <summary>Every update any LoRA makes to the BFL weight <paramref name="bflName"/> of a transformer of width <paramref name="hidden"/>.</summary>
    public IReadOnlyList<LowRankUpdate> UpdatesFor(string bflName, long[] shape, long hidden)
    {
        if (!bflName.EndsWith(".weight", StringComparison.Ordinal) || shape.Length != 2)
        {
            return [];
        }

        var module = bflName[..^".weight".Length];
        var updates = new List<LowRankUpdate>();
        foreach (var (spec, adapters, _) in _loras)
        {
            if (adapters.TryGetValue(KohyaPrefix + module.Replace('.', '_'), out var kohya))
            {
                updates.Add(kohya.Update(bflName, shape, 0, 0, shape[0], wholeTensor: true, spec.Scale));
            }

            // PEFT adapters sit on diffusers' modules; each covers its slice's rows of the (possibly fused) BFL weight.
            var slices = DiffusersTransformerKeys.Map(bflName, hidden);
            long outputRow = 0;
            foreach (var slice in slices)
            {
                var rows = SliceRows(slice, slices.Count, shape[0], hidden);
                if (adapters.TryGetValue(PeftPrefix + slice.Key[..^".weight".Length], out var peft))
                {
                    updates.Add(peft.Update(bflName, shape, outputRow, slice.FirstRow, rows, slice.RowCount == KeySlice.AllRows, spec.Scale));
                }

                outputRow += rows;
            }
        }

        return updates;
    }

    /// <summary>Throws naming the first LoRA key that matched no transformer weight (unless <paramref name="ignoreUnknown"/>).</summary>
    public void EnsureAllUsed(bool ignoreUnknown)
    {
        foreach (var (spec, adapters, unknown) in _loras)
        {
            var unused = unknown.Concat(adapters.Values.Where(a => !a.Used).Select(a => a.Name)).Order(StringComparer.Ordinal).ToList();
            if (unused.Count > 0 && !ignoreUnknown)
            {
                throw new ImportException(
                    $"{spec.Path}: LoRA key '{unused[0]}' matches no transformer weight ({unused.Count} such keys; pass --lora-ignore-unknown to skip them)");
            }
        }
    }

    public void Dispose() => _files.ForEach(f => f.Dispose());

    /// <summary>
    /// Rows of the BFL weight a diffusers slice provides: its explicit count, all rows of a one-to-one tensor, or for
    /// fused weights hidden rows per q/k/v projection and the rest for proj_mlp (convert_flux_to_diffusers.py split_size).
    /// </summary>
    private static long SliceRows(KeySlice slice, int sliceCount, long totalRows, long hidden) =>
        slice.RowCount != KeySlice.AllRows ? slice.RowCount
        : sliceCount == 1 ? totalRows
        : slice.Key.Contains(".proj_mlp.", StringComparison.Ordinal) ? totalRows - 3 * hidden
        : hidden;

    private static (LoraSpec, Dictionary<string, LoraAdapter>, List<string>) Parse(LoraSpec spec, SafeTensorsCheckpoint checkpoint)
    {
        string[][] suffixes = [[".lora_down.weight", ".lora_up.weight"], [".lora_A.weight", ".lora_B.weight"]];
        var adapters = new Dictionary<string, LoraAdapter>(StringComparer.Ordinal);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in suffixes)
        {
            foreach (var key in checkpoint.Tensors.Keys.Where(k => k.EndsWith(pair[0], StringComparison.Ordinal)))
            {
                var name = key[..^pair[0].Length];
                if (!checkpoint.Tensors.TryGetValue(name + pair[1], out var up))
                {
                    throw new ImportException($"{spec.Path}: LoRA key '{key}' has no matching '{name}{pair[1]}'");
                }

                checkpoint.Tensors.TryGetValue(name + ".alpha", out var alpha);
                adapters.Add(name, new LoraAdapter(spec.Path, name, checkpoint.Tensors[key], up, alpha));
                claimed.UnionWith([key, name + pair[1], name + ".alpha"]);
            }
        }

        var unknown = checkpoint.Tensors.Keys.Where(k => !claimed.Contains(k)).ToList();
        return (spec, adapters, unknown);
    }
}
