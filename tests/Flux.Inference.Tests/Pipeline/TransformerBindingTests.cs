using Flux.Core;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;
using Microsoft.ML.OnnxRuntime;

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

    /// <summary>
    /// A session that replays a CUDA graph has every input cleared and bound again inside the device gate before each
    /// run; on the CPU that path must give the samples of inputs bound once, and the session must refuse a second
    /// shape (the graph was captured for the first).
    /// </summary>
    [Fact]
    public void Denoise_OnASessionCapturingACudaGraph_RebindsEveryInput_EqualsInputsBoundOnce_AndRefusesAnotherSize()
    {
        var pipeline = packages.Tiny;
        string file = pipeline.Package.Io.Transformer.ModelFile;
        var conditioning = pipeline.EncodePrompt("a red circle");
        var size = ImageSize.Create(128, 128);
        using var lease = SessionCache.Shared.Acquire(file, BuiltPackages.Cpu);
        using var graphSession = CapturingSession(file);

        float[] boundOnce = Denoise(lease.Session, pipeline.Package, conditioning, size);
        float[] reboundEveryRun = Denoise(graphSession, pipeline.Package, conditioning, size);
        float[] again = Denoise(graphSession, pipeline.Package, conditioning, size);   // the same shape again is accepted

        Assert.Equal(boundOnce, reboundEveryRun);
        Assert.Equal(boundOnce, again);
        var refused = Assert.Throws<FluxModelException>(() => Denoise(graphSession, pipeline.Package, conditioning, ImageSize.Create(256, 256)));
        Assert.Contains("captured for inputs hidden_states (1, 64, 64)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("needs hidden_states (1, 256, 64)", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A CPU session marked as replaying a CUDA graph: what <see cref="SessionCache"/> makes on the CUDA provider with CudaGraph set.</summary>
    internal static ModelSession CapturingSession(string file) =>
        new(file, new InferenceSession(file), "CPU", new SemaphoreSlim(1, 1), capturesCudaGraph: true);

    /// <summary><see cref="Steps"/> Euler steps from fixed noise through <paramref name="session"/>; returns the latents (1, L, 64).</summary>
    internal static float[] Denoise(ModelSession session, Flux.Inference.Packages.ModelPackage package, TextConditioning conditioning, ImageSize size)
    {
        float[] x = new float[size.PackedLength];   // (1, L, 64)
        float[] latent = new float[size.LatentLength];
        PhiloxNoise.Fill(7, 0, latent);
        LatentLayout.Pack(latent, x, size);
        using var model = new TransformerVelocityModel(session, package.Io.Transformer, conditioning, size, [3.5f], CancellationToken.None);
        Denoiser.Run(model, x, Schedule.Flux(Steps, size.SequenceLength, package.Shift), Samplers.Euler, 0, Steps, null, new SamplerWorkspace(x.Length), CancellationToken.None);
        return x;
    }
}
