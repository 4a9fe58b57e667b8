using Flux.Core;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// True CFG through the real transformer: the positive and negative conditionings run as one batch of 2
/// and the result equals diffusers' formula applied to two separately computed velocities.
/// </summary>
[Collection(BuiltPackagesCollection.Name)]
public class TrueCfgTests(BuiltPackages packages)
{
    [Fact]
    public void BatchedTrueCfg_EqualsTheFormulaOnTwoSeparateTransformerRuns()
    {
        const float scale = 3f, t = 0.7f;
        var pipeline = packages.TinyDev;
        var size = ImageSize.Create(128, 128);
        var positive = pipeline.EncodePrompt("a red circle on a blue background");
        var negative = pipeline.EncodePrompt("blurry, low quality");
        float[] x = new float[size.PackedLength];   // (1, L, 64)
        float[] latent = new float[size.LatentLength];
        PhiloxNoise.Fill(11, 0, latent);
        LatentLayout.Pack(latent, x, size);
        using var lease = SessionCache.Shared.Acquire(pipeline.Package.Io.Transformer.ModelFile, BuiltPackages.Cpu);

        float[] vPositive = Velocity(positive, [3.5f]);
        float[] vNegative = Velocity(negative, [3.5f]);
        float[] guided = new float[x.Length];
        using (var pair = new TransformerVelocityModel(lease.Session, pipeline.Package.Io.Transformer,
            TextConditioning.Concat([positive, negative]), size, [3.5f, 3.5f], CancellationToken.None))
        {
            new TrueCfgVelocityModel(pair, scale, x.Length).Evaluate(x, t, guided);
            Assert.Equal(1, pair.Evaluations);
        }

        Assert.NotEqual(vPositive, vNegative);   // the two prompts really condition differently
        for (int i = 0; i < x.Length; i++)
        {
            float expected = vNegative[i] + scale * (vPositive[i] - vNegative[i]);
            Assert.True(Math.Abs(guided[i] - expected) <= 1e-5f * Math.Max(1f, Math.Abs(expected)), $"element {i}: {guided[i]} vs {expected}");
        }

        float[] Velocity(TextConditioning conditioning, float[] guidance)
        {
            using var model = new TransformerVelocityModel(lease.Session, pipeline.Package.Io.Transformer, conditioning, size, guidance, CancellationToken.None);
            float[] v = new float[x.Length];
            model.Evaluate(x, t, v);
            return v;
        }
    }

    private const string Prompt = "a red circle on a blue background";
    private const string Negative = "blurry, low quality";

    private GenerationSettings DevSettings(string sampler = "euler", int steps = 2) =>
        GenerationSettings.Defaults(packages.TinyDev.Package, Prompt) with { Width = 64, Height = 64, Steps = steps, Seed = 5, Sampler = sampler };

    /// <summary>Mutations tried: prompt2 ignored (T5 gets the prompt) and the rows swapped both fail it.</summary>
    [Fact]
    public void EncodeConditioning_ClipGetsPrompt_T5GetsPrompt2_NegativeRowGetsTheNegativeInBoth()
    {
        var pipeline = packages.TinyDev;
        var settings = DevSettings() with { Prompt2 = "a watercolour painting", NegativePrompt = Negative, TrueCfgScale = 2f };

        var conditioning = pipeline.EncodeConditioning(settings);
        var plain = pipeline.EncodeConditioning(settings with { TrueCfgScale = 1f });

        var prompt = pipeline.EncodePrompt(Prompt);
        var prompt2 = pipeline.EncodePrompt("a watercolour painting");
        var negative = pipeline.EncodePrompt(Negative);
        Assert.Equal(2, conditioning.BatchSize);
        Assert.NotEqual(prompt.T5Hidden, prompt2.T5Hidden);   // the two prompts really differ in T5
        Assert.NotEqual(prompt.Pooled, prompt2.Pooled);       // and in CLIP
        Assert.Equal(prompt.Pooled, conditioning.Slice(0).Pooled);
        Assert.Equal(prompt2.T5Hidden, conditioning.Slice(0).T5Hidden);
        Assert.Equal(negative.Pooled, conditioning.Slice(1).Pooled);
        Assert.Equal(negative.T5Hidden, conditioning.Slice(1).T5Hidden);
        Assert.Equal(1, plain.BatchSize);   // scale 1 needs no negative row
        Assert.Equal(conditioning.Slice(0).T5Hidden, plain.T5Hidden);
    }

    [Fact]
    public void ScaleOne_WithANegativePrompt_GivesThePlainRunsPixels()
    {
        var settings = DevSettings();
        using var plain = packages.TinyDev.Generate(settings);
        using var scaleOne = packages.TinyDev.Generate(settings with { NegativePrompt = Negative, TrueCfgScale = 1f });
        using var scaleThree = packages.TinyDev.Generate(settings with { NegativePrompt = Negative, TrueCfgScale = 3f });

        Assert.Equal(plain.Rgb, scaleOne.Rgb);
        Assert.NotEqual(plain.Rgb, scaleThree.Rgb);
    }

    /// <summary>
    /// The pipeline's DenoiseAsync with scale 3 against the denoise loop over a test model that runs the transformer twice
    /// (positive and negative prompt encoded separately) and applies diffusers' formula: the same state after every sampler,
    /// with one transformer run per evaluation instead of two. Mutations tried: negative and positive rows swapped, and
    /// the scale ignored, each fail every sampler.
    /// </summary>
    [Theory]
    [InlineData("euler", 1)]
    [InlineData("heun", 2)]
    [InlineData("rk4", 4)]
    public async Task ScaleThree_ThroughThePipeline_EqualsTheFormulaOnSeparateVelocities(string sampler, int evaluationsPerStep)
    {
        const float scale = 3f;
        var pipeline = packages.TinyDev;
        var settings = DevSettings(sampler, steps: 3) with { NegativePrompt = Negative, TrueCfgScale = scale };
        var size = settings.Size;

        SamplerCheckpoint guided;
        using (var runs = RunStatistics.BeginScope())
        {
            guided = await pipeline.DenoiseAsync(new DenoiseRequest(pipeline.EncodeConditioning(settings), settings));
            // Encoders: CLIP and T5 once each for both rows. Transformer: one run per evaluation; the last step is Euler.
            Assert.Equal(2 + ((settings.Steps - 1) * evaluationsPerStep) + 1, runs.Statistics.Runs);
        }

        float[] expected = new float[size.PackedLength];   // (1, L, 64)
        float[] latent = new float[size.LatentLength];
        PhiloxNoise.Fill(5, 0, latent);
        LatentLayout.Pack(latent, expected, size);
        using var lease = SessionCache.Shared.Acquire(pipeline.Package.Io.Transformer.ModelFile, BuiltPackages.Cpu);
        using (var positive = new TransformerVelocityModel(lease.Session, pipeline.Package.Io.Transformer, pipeline.EncodePrompt(Prompt), size, [settings.Guidance], CancellationToken.None))
        using (var negative = new TransformerVelocityModel(lease.Session, pipeline.Package.Io.Transformer, pipeline.EncodePrompt(Negative), size, [settings.Guidance], CancellationToken.None))
        {
            var timesteps = Schedule.Flux(settings.Steps, size.SequenceLength, pipeline.Package.Shift);
            Denoiser.Run(new Formula(positive, negative, scale), expected, timesteps, Samplers.Parse(sampler), 0, settings.Steps, null, CancellationToken.None);
        }

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(guided.Latents[i] - expected[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])), $"element {i}: {guided.Latents[i]} vs {expected[i]}");
        }

        var plain = settings with { TrueCfgScale = 1f };
        var unguided = await pipeline.DenoiseAsync(new DenoiseRequest(pipeline.EncodeConditioning(plain), plain));
        Assert.True(guided.Latents.Zip(unguided.Latents, (a, b) => Math.Abs(a - b)).Max() > 1e-2f, "scale 3 left the state as the plain run's");
    }

    /// <summary>A batch's rows are [positive 0..B-1, negative 0..B-1]; each image pairs with its own prompts and negative.</summary>
    [Fact]
    public void TrueCfgBatch_EqualsSingleRuns()
    {
        var pipeline = packages.TinyDev;
        GenerationSettings[] batch =
        [
            DevSettings() with { NegativePrompt = Negative, TrueCfgScale = 3f },
            DevSettings() with { Prompt = "a green tree", Prompt2 = "a tall green tree", NegativePrompt = "a red car", TrueCfgScale = 3f, Seed = 8, ImageIndex = 1 },
        ];

        var together = pipeline.Generate(batch);

        for (int i = 0; i < batch.Length; i++)
        {
            using var alone = pipeline.Generate(batch[i]);
            int maxDifference = alone.Rgb.Zip(together[i].Rgb, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDifference <= 1, $"image {i}: max pixel difference {maxDifference}");
        }
    }

    [Fact]
    public async Task TrueCfgRequest_WithOneConditioningRow_IsRefused()
    {
        var pipeline = packages.TinyDev;
        var settings = DevSettings() with { NegativePrompt = Negative, TrueCfgScale = 2f };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => pipeline.DenoiseAsync(new DenoiseRequest(pipeline.EncodePrompt(Prompt), settings)));

        Assert.Contains("needs 2 conditioning rows, positive then negative (EncodeConditioning), not 1", error.Message, StringComparison.Ordinal);
    }

    /// <summary>v = v_neg + s·(v_pos − v_neg) from two separate transformer runs, as diffusers' FluxPipeline.__call__ computes it.</summary>
    private sealed class Formula(IVelocityModel positive, IVelocityModel negative, float scale) : IVelocityModel
    {
        public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
        {
            float[] vPositive = new float[x.Length], vNegative = new float[x.Length];
            positive.Evaluate(x, t, vPositive);
            negative.Evaluate(x, t, vNegative);
            for (int i = 0; i < velocity.Length; i++)
            {
                velocity[i] = vNegative[i] + scale * (vPositive[i] - vNegative[i]);
            }
        }
    }
}
