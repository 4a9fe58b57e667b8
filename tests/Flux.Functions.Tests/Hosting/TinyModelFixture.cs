using Flux.Functions.Rendering;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;

namespace Flux.Functions.Tests.Hosting;

/// <summary>The real ONNX pipeline on a built-in package (built once into the user cache), on the CPU.</summary>
public abstract class BuiltInModelFixture(string package) : IDisposable
{
    public const int CheckpointEvery = 2;

    internal FluxPipelineRenderer Renderer { get; } = new(
        FluxPipeline.Open(BuiltInPackages.EnsureBuilt(package), new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu }), CheckpointEvery);

    public void Dispose()
    {
        Renderer.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The "tiny" package: the FLUX architecture at toy width, noise-like images.</summary>
public sealed class TinyModelFixture() : BuiltInModelFixture("tiny");

/// <summary>The "reference" package: the exact flow of its shape set, 256x256, whose patch VAE represents flat 8x8 cells exactly.</summary>
public sealed class ReferenceModelFixture() : BuiltInModelFixture("reference");

/// <summary>Counts encoder runs per prompt of another renderer.</summary>
internal sealed class CountingRenderer(Flux.Functions.Rendering.IImageRenderer inner) : RendererDecorator(inner)
{
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> EncodeCalls { get; } = new(StringComparer.Ordinal);

    public override Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken)
    {
        EncodeCalls.AddOrUpdate(spec.Prompt, 1, (_, n) => n + 1);
        return base.EncodePromptAsync(spec, cancellationToken);
    }
}
