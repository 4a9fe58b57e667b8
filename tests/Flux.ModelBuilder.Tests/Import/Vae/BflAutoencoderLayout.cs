using Flux.ModelBuilder.Import.Vae;

namespace Flux.ModelBuilder.Tests.Import.Vae;

/// <summary>
/// The state dict of BFL's AutoEncoder — every key and its shape — enumerated from the module tree that
/// black-forest-labs/flux src/flux/modules/autoencoder.py <c>Encoder.__init__</c> and <c>Decoder.__init__</c>
/// build (independently of the graph code), and the same tensors under diffusers' names as diffusers
/// src/diffusers/loaders/single_file_utils.py <c>convert_ldm_vae_checkpoint</c> renames them.
/// </summary>
internal static class BflAutoencoderLayout
{
    public static List<(string Key, long[] Shape)> Keys(AutoencoderConfig c)
    {
        var keys = new List<(string, long[])>();
        void Conv(string p, long cin, long cout, long k)
        {
            keys.Add(($"{p}.weight", [cout, cin, k, k]));
            keys.Add(($"{p}.bias", [cout]));
        }

        void Norm(string p, long ch)
        {
            keys.Add(($"{p}.weight", [ch]));
            keys.Add(($"{p}.bias", [ch]));
        }

        void Resnet(string p, long cin, long cout)
        {
            Norm($"{p}.norm1", cin);
            Conv($"{p}.conv1", cin, cout, 3);
            Norm($"{p}.norm2", cout);
            Conv($"{p}.conv2", cout, cout, 3);
            if (cin != cout)
            {
                Conv($"{p}.nin_shortcut", cin, cout, 1);
            }
        }

        void Mid(string p, long ch)
        {
            Resnet($"{p}.block_1", ch, ch);
            if (c.MidAttention)
            {
                Norm($"{p}.attn_1.norm", ch);
                foreach (var proj in new[] { "q", "k", "v", "proj_out" })
                {
                    Conv($"{p}.attn_1.{proj}", ch, ch, 1);
                }
            }

            Resnet($"{p}.block_2", ch, ch);
        }

        int n = c.ChMult.Count;

        // Encoder.__init__: conv_in; for i_level: block_in = ch * in_ch_mult[i_level], num_res_blocks ResnetBlocks, Downsample unless last.
        Conv("encoder.conv_in", c.InChannels, c.Ch, 3);
        long blockIn = c.Ch;
        for (var i = 0; i < n; i++)
        {
            blockIn = c.Ch * (i == 0 ? 1 : c.ChMult[i - 1]);
            long blockOut = c.Ch * c.ChMult[i];
            for (var j = 0; j < c.NumResBlocks; j++)
            {
                Resnet($"encoder.down.{i}.block.{j}", blockIn, blockOut);
                blockIn = blockOut;
            }

            if (i != n - 1)
            {
                Conv($"encoder.down.{i}.downsample.conv", blockIn, blockIn, 3);
            }
        }

        Mid("encoder.mid", blockIn);
        Norm("encoder.norm_out", blockIn);
        Conv("encoder.conv_out", blockIn, 2 * c.ZChannels, 3);

        // Decoder.__init__: block_in = ch * ch_mult[-1]; for i_level in reversed(range(n)): num_res_blocks + 1
        // ResnetBlocks to ch * ch_mult[i_level], Upsample unless level 0; self.up.insert(0, up) keeps index = i_level.
        blockIn = c.Ch * c.ChMult[n - 1];
        Conv("decoder.conv_in", c.ZChannels, blockIn, 3);
        Mid("decoder.mid", blockIn);
        for (var i = n - 1; i >= 0; i--)
        {
            long blockOut = c.Ch * c.ChMult[i];
            for (var j = 0; j < c.NumResBlocks + 1; j++)
            {
                Resnet($"decoder.up.{i}.block.{j}", blockIn, blockOut);
                blockIn = blockOut;
            }

            if (i != 0)
            {
                Conv($"decoder.up.{i}.upsample.conv", blockIn, blockIn, 3);
            }
        }

        Norm("decoder.norm_out", blockIn);
        Conv("decoder.conv_out", blockIn, c.OutCh, 3);
        return keys;
    }

    /// <summary>
    /// BFL key -> diffusers key and shape, as <c>convert_ldm_vae_checkpoint</c> does: <c>down.{i}.block</c> ->
    /// <c>down_blocks.{i}.resnets</c>; for i in range(num_up_blocks): block_id = num_up_blocks - 1 - i,
    /// <c>up.{block_id}.block</c> -> <c>up_blocks.{i}.resnets</c>; <c>nin_shortcut</c> -> <c>conv_shortcut</c>;
    /// <c>mid.block_{i}</c> -> <c>mid_block.resnets.{i-1}</c>; attention norm/q/k/v/proj_out -> group_norm/to_q/to_k/to_v/to_out.0
    /// with 4-D weights cut to [:, :, 0, 0]; the "vae" table of DIFFUSERS_TO_LDM_MAPPING for conv_in/conv_out/norm_out.
    /// </summary>
    public static (string Key, long[] Shape) ToDiffusers(string bfl, long[] shape, int levels)
    {
        var parts = bfl.Split('.');
        string key;
        if (parts[1] is "down" && parts[3] == "block")
        {
            key = $"{parts[0]}.down_blocks.{parts[2]}.resnets.{parts[4]}.{string.Join('.', parts[5..])}";
        }
        else if (parts[1] is "down")
        {
            key = $"{parts[0]}.down_blocks.{parts[2]}.downsamplers.0.conv.{parts[^1]}";
        }
        else if (parts[1] is "up" && parts[3] == "block")
        {
            key = $"{parts[0]}.up_blocks.{levels - 1 - int.Parse(parts[2])}.resnets.{parts[4]}.{string.Join('.', parts[5..])}";
        }
        else if (parts[1] is "up")
        {
            key = $"{parts[0]}.up_blocks.{levels - 1 - int.Parse(parts[2])}.upsamplers.0.conv.{parts[^1]}";
        }
        else if (parts[1] == "mid" && parts[2].StartsWith("block_", StringComparison.Ordinal))
        {
            key = $"{parts[0]}.mid_block.resnets.{int.Parse(parts[2]["block_".Length..]) - 1}.{string.Join('.', parts[3..])}";
        }
        else if (parts[1] == "mid")
        {
            var renamed = parts[3] switch { "norm" => "group_norm", "q" => "to_q", "k" => "to_k", "v" => "to_v", _ => "to_out.0" };
            key = $"{parts[0]}.mid_block.attentions.0.{renamed}.{parts[4]}";
            if (shape.Length == 4)
            {
                return (key, shape[..2]);
            }
        }
        else
        {
            key = parts[1] == "norm_out" ? $"{parts[0]}.conv_norm_out.{parts[2]}" : bfl;
        }

        return (key.Replace("nin_shortcut", "conv_shortcut", StringComparison.Ordinal), shape);
    }
}
