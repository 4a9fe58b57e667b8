using Flux.Core;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// On a GPU, ONNX Runtime copies a CPU input when it is bound, so the transformer binds x and t again
/// before every run there. That path is exercised here on the CPU: it must give the same samples.
/// </summary>
[Collection(BuiltPackagesCollection.Name)]
public class TransformerBindingTests(BuiltPackages packages)
{
    private const int Steps = 3;

    [Theory]
    [InlineData("tiny")]
    [InlineData("tiny-dev")]
    public void Denoise_WithXAndTReboundBeforeEveryRun_EqualsInputsBoundOnce(string package)
    {
        var pipeline = package == "tiny" ? packages.Tiny : packages.TinyDev;
        var size = ImageSize.Create(256, 256);
        var conditioning = pipeline.EncodePrompt("a red circle");
        double[] timesteps = Schedule.Flux(Steps, size.SequenceLength, pipeline.Package.Shift);
        float[] noise = new float[size.PackedLength];   // (1, L, 64)
        float[] latent = new float[size.LatentLength];
        PhiloxNoise.Fill(5, 0, latent);
        LatentLayout.Pack(latent, noise, size);
        using var lease = SessionCache.Shared.Acquire(pipeline.Package.Io.Transformer.ModelFile, BuiltPackages.Cpu);

        float[] boundOnce = Sample(rebind: false);
        float[] rebound = Sample(rebind: true);

        Assert.Equal(boundOnce, rebound);
        Assert.NotEqual(noise, boundOnce);

        float[] Sample(bool rebind)
        {
            float[] x = (float[])noise.Clone();
            using var model = new TransformerVelocityModel(lease.Session, pipeline.Package.Io.Transformer, conditioning, size, [3.5f], CancellationToken.None, rebind);
            Denoiser.Run(model, x, timesteps, Samplers.Euler, 0, Steps, null, new SamplerWorkspace(x.Length), CancellationToken.None);
            return x;
        }
    }
}
