using Flux.ModelBuilder.Import.Vae;

namespace Flux.ModelBuilder.Tests.Import.Vae;

/// <summary>One image's (C, H, W) activations, row-major.</summary>
internal sealed record Planes(int C, int H, int W, float[] Data)
{
    public static Planes Zeros(int c, int h, int w) => new(c, h, w, new float[c * h * w]);

    public float this[int c, int y, int x]
    {
        get => Data[(c * H + y) * W + x];
        set => Data[(c * H + y) * W + x] = value;
    }
}

/// <summary>
/// A loop-by-loop restatement of black-forest-labs/flux src/flux/modules/autoencoder.py for one image,
/// written from the Python (module by module, in its order) and never from the ONNX graph code. Sums in double.
/// Weights are read by BFL state-dict key. <see cref="NormEpsilon"/> is torch's value from the source.
/// </summary>
internal sealed class BflAutoencoderReference(Func<string, float[]> weight, AutoencoderConfig config)
{
    /// <summary>autoencoder.py: <c>nn.GroupNorm(num_groups=32, num_channels=..., eps=1e-6, affine=True)</c>.</summary>
    public const double NormEpsilon = 1e-6;

    private int Groups => config.NormGroups;

    /// <summary><c>Decoder.forward(z)</c>.</summary>
    public Planes Decode(Planes z)
    {
        int n = config.ChMult.Count;
        var h = Conv2d(z, "decoder.conv_in", padding: 1);
        h = Mid(h, "decoder.mid");
        for (var iLevel = n - 1; iLevel >= 0; iLevel--)
        {
            for (var iBlock = 0; iBlock < config.NumResBlocks + 1; iBlock++)
            {
                h = Resnet(h, $"decoder.up.{iLevel}.block.{iBlock}");
            }

            if (iLevel != 0)
            {
                h = Upsample(h, $"decoder.up.{iLevel}.upsample");
            }
        }

        return Conv2d(Swish(GroupNorm(h, "decoder.norm_out")), "decoder.conv_out", padding: 1);
    }

    /// <summary><c>Encoder.forward(x)</c> then <c>DiagonalGaussian(sample=False)</c>: mean, logvar = chunk(z, 2, dim=1); mean.</summary>
    public Planes EncodeMean(Planes x)
    {
        int n = config.ChMult.Count;
        var hs = new List<Planes> { Conv2d(x, "encoder.conv_in", padding: 1) };
        for (var iLevel = 0; iLevel < n; iLevel++)
        {
            for (var iBlock = 0; iBlock < config.NumResBlocks; iBlock++)
            {
                hs.Add(Resnet(hs[^1], $"encoder.down.{iLevel}.block.{iBlock}"));
            }

            if (iLevel != n - 1)
            {
                hs.Add(Downsample(hs[^1], $"encoder.down.{iLevel}.downsample"));
            }
        }

        var h = Mid(hs[^1], "encoder.mid");
        var moments = Conv2d(Swish(GroupNorm(h, "encoder.norm_out")), "encoder.conv_out", padding: 1);
        int half = moments.C / 2;
        return new Planes(half, moments.H, moments.W, moments.Data[..(half * moments.H * moments.W)]);
    }

    private Planes Mid(Planes h, string prefix)
    {
        h = Resnet(h, prefix + ".block_1");
        if (config.MidAttention)
        {
            h = Attn(h, prefix + ".attn_1");
        }

        return Resnet(h, prefix + ".block_2");
    }

    /// <summary><c>ResnetBlock.forward</c>.</summary>
    private Planes Resnet(Planes x, string prefix)
    {
        var h = Swish(GroupNorm(x, prefix + ".norm1"));
        h = Conv2d(h, prefix + ".conv1", padding: 1);
        h = Swish(GroupNorm(h, prefix + ".norm2"));
        h = Conv2d(h, prefix + ".conv2", padding: 1);
        if (x.C != h.C)
        {
            x = Conv2d(x, prefix + ".nin_shortcut", padding: 0);
        }

        return Add(x, h);
    }

    /// <summary><c>AttnBlock.forward</c>: x + proj_out(attention(x)), one head over the (h w) positions.</summary>
    private Planes Attn(Planes x, string prefix)
    {
        var hn = GroupNorm(x, prefix + ".norm");
        Planes q = Conv2d(hn, prefix + ".q", 0), k = Conv2d(hn, prefix + ".k", 0), v = Conv2d(hn, prefix + ".v", 0);
        int c = x.C, positions = x.H * x.W;

        // scaled_dot_product_attention on "b 1 (h w) c": softmax(q k^T / sqrt(c)) v.
        var scale = 1 / Math.Sqrt(c);
        var attended = Planes.Zeros(c, x.H, x.W);
        var scores = new double[positions];
        for (var i = 0; i < positions; i++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < positions; j++)
            {
                double dot = 0;
                for (var ch = 0; ch < c; ch++)
                {
                    dot += (double)q.Data[ch * positions + i] * k.Data[ch * positions + j];
                }

                scores[j] = dot * scale;
                max = Math.Max(max, scores[j]);
            }

            double sum = 0;
            for (var j = 0; j < positions; j++)
            {
                scores[j] = Math.Exp(scores[j] - max);
                sum += scores[j];
            }

            for (var ch = 0; ch < c; ch++)
            {
                double acc = 0;
                for (var j = 0; j < positions; j++)
                {
                    acc += scores[j] / sum * v.Data[ch * positions + j];
                }

                attended.Data[ch * positions + i] = (float)acc;
            }
        }

        return Add(x, Conv2d(attended, prefix + ".proj_out", 0));
    }

    /// <summary><c>Downsample.forward</c>: F.pad(x, (0, 1, 0, 1)) (left 0, right 1, top 0, bottom 1), conv 3x3 stride 2 padding 0.</summary>
    private Planes Downsample(Planes x, string prefix)
    {
        var padded = Planes.Zeros(x.C, x.H + 1, x.W + 1);
        for (var c = 0; c < x.C; c++)
        {
            for (var y = 0; y < x.H; y++)
            {
                for (var xx = 0; xx < x.W; xx++)
                {
                    padded[c, y, xx] = x[c, y, xx];
                }
            }
        }

        return Conv2d(padded, prefix + ".conv", padding: 0, stride: 2);
    }

    /// <summary><c>Upsample.forward</c>: F.interpolate(scale_factor=2, mode="nearest") — out[y, x] = in[y // 2, x // 2] — then conv 3x3.</summary>
    private Planes Upsample(Planes x, string prefix)
    {
        var up = Planes.Zeros(x.C, 2 * x.H, 2 * x.W);
        for (var c = 0; c < x.C; c++)
        {
            for (var y = 0; y < up.H; y++)
            {
                for (var xx = 0; xx < up.W; xx++)
                {
                    up[c, y, xx] = x[c, y / 2, xx / 2];
                }
            }
        }

        return Conv2d(up, prefix + ".conv", padding: 1);
    }

    /// <summary>torch.nn.Conv2d with symmetric zero <paramref name="padding"/>; kernel size and channels from the weight's shape.</summary>
    private Planes Conv2d(Planes x, string prefix, int padding, int stride = 1)
    {
        var w = weight(prefix + ".weight");
        var b = weight(prefix + ".bias");
        int outC = b.Length, k = (int)Math.Round(Math.Sqrt(w.Length / (double)(outC * x.C)));
        Assert.Equal(outC * x.C * k * k, w.Length);
        int outH = (x.H + 2 * padding - k) / stride + 1, outW = (x.W + 2 * padding - k) / stride + 1;
        var y = Planes.Zeros(outC, outH, outW);
        for (var o = 0; o < outC; o++)
        {
            for (var oy = 0; oy < outH; oy++)
            {
                for (var ox = 0; ox < outW; ox++)
                {
                    double acc = b[o];
                    for (var i = 0; i < x.C; i++)
                    {
                        for (var ky = 0; ky < k; ky++)
                        {
                            var iy = oy * stride + ky - padding;
                            if (iy < 0 || iy >= x.H)
                            {
                                continue;
                            }

                            for (var kx = 0; kx < k; kx++)
                            {
                                var ix = ox * stride + kx - padding;
                                if (ix >= 0 && ix < x.W)
                                {
                                    acc += (double)w[((o * x.C + i) * k + ky) * k + kx] * x[i, iy, ix];
                                }
                            }
                        }
                    }

                    y[o, oy, ox] = (float)acc;
                }
            }
        }

        return y;
    }

    /// <summary>torch.nn.GroupNorm: per group of C/G channels, (x - mean) / sqrt(biased var + eps), then * weight[c] + bias[c].</summary>
    public Planes GroupNorm(Planes x, string prefix)
    {
        var gamma = weight(prefix + ".weight");
        var beta = weight(prefix + ".bias");
        int perGroup = x.C / Groups, plane = x.H * x.W, count = perGroup * plane;
        var y = Planes.Zeros(x.C, x.H, x.W);
        for (var g = 0; g < Groups; g++)
        {
            var start = g * count;
            double mean = 0, variance = 0;
            for (var i = 0; i < count; i++)
            {
                mean += x.Data[start + i];
            }

            mean /= count;
            for (var i = 0; i < count; i++)
            {
                variance += (x.Data[start + i] - mean) * (x.Data[start + i] - mean);
            }

            variance /= count;
            var inverse = 1 / Math.Sqrt(variance + NormEpsilon);
            for (var i = 0; i < count; i++)
            {
                var c = (start + i) / plane;
                y.Data[start + i] = (float)((x.Data[start + i] - mean) * inverse * gamma[c] + beta[c]);
            }
        }

        return y;
    }

    /// <summary><c>swish(x) = x * torch.sigmoid(x)</c>.</summary>
    private static Planes Swish(Planes x) => x with { Data = [.. x.Data.Select(v => (float)(v / (1 + Math.Exp(-v))))] };

    private static Planes Add(Planes a, Planes b) => a with { Data = [.. a.Data.Zip(b.Data, (p, q) => p + q)] };
}
