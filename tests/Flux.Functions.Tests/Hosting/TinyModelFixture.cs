using Flux.Functions.Rendering;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;

namespace Flux.Functions.Tests.Hosting;

/// <summary>The real ONNX pipeline on the built-in "tiny" package (built once into the user cache), on the CPU.</summary>
public sealed class TinyModelFixture : IDisposable
{
    public const int CheckpointEvery = 2;

    public TinyModelFixture()
    {
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu };
        Renderer = new FluxPipelineRenderer(FluxPipeline.Open(BuiltInPackages.EnsureBuilt("tiny"), options), CheckpointEvery);
    }

    public FluxPipelineRenderer Renderer { get; }

    public void Dispose() => Renderer.Dispose();
}

/// <summary>Counts encoder runs per prompt of another renderer.</summary>
public sealed class CountingRenderer(Flux.Functions.Rendering.IImageRenderer inner) : RendererDecorator(inner)
{
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> EncodeCalls { get; } = new(StringComparer.Ordinal);

    public override Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken)
    {
        EncodeCalls.AddOrUpdate(spec.Prompt, 1, (_, n) => n + 1);
        return base.EncodePromptAsync(spec, cancellationToken);
    }
}
