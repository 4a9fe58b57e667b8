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
}
