using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Tests.Pipeline;
using Microsoft.Extensions.Logging;

namespace Flux.Inference.Tests.Sessions;

/// <summary>
/// <see cref="InferenceOptions.TextEncodersOnCpu"/>: CLIP and T5 are created on the CPU provider whatever the transformer's
/// provider is, so fp32 T5-XXL needs no GPU memory beside the transformer on a 16 GB GPU.
/// </summary>
[Collection(BuiltPackagesCollection.Name)]
public class TextEncodersOnCpuTests(BuiltPackages packages)
{
    [Theory]
    [InlineData(ExecutionProviderKind.Cuda)]
    [InlineData(ExecutionProviderKind.Auto)]
    public void For_GivesTheTextEncodersTheCpuProvider_AndLeavesTheOtherComponentsAlone(ExecutionProviderKind provider)
    {
        var options = new InferenceOptions { ExecutionProvider = provider, TextEncodersOnCpu = true, CudaGraph = provider == ExecutionProviderKind.Cuda };

        foreach (var encoder in new[] { ModelComponent.ClipTextEncoder, ModelComponent.T5TextEncoder })
        {
            var forEncoder = options.For(encoder);
            Assert.Equal(ExecutionProviderKind.Cpu, forEncoder.ExecutionProvider);
            Assert.False(forEncoder.CudaGraph);
            Assert.Equal(options.MemoryMode, forEncoder.MemoryMode);
        }

        foreach (var component in new[] { ModelComponent.Transformer, ModelComponent.VaeDecoder, ModelComponent.VaeEncoder })
        {
            Assert.Same(options, options.For(component));
        }

        var unset = new InferenceOptions { ExecutionProvider = provider };
        Assert.Same(unset, unset.For(ModelComponent.T5TextEncoder));
    }

    /// <summary>
    /// Asked for CUDA on a machine without it, the package's sessions log one CUDA fallback: on the first component that
    /// tries the GPU. With the setting, that is the transformer (loaded after CLIP and T5), not CLIP; generating uses the
    /// same sessions, and the image is the one a CPU run makes.
    /// </summary>
    [Fact]
    public void WithCudaRequested_OnlyTheTransformerAndVaeTryTheGpu_AndTheImageIsTheCpuRunsImage()
    {
        var log = new WarningLog();
        // A device id no other test uses: a failed CUDA load is remembered per device for the life of the process.
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cuda, DeviceId = 41, TextEncodersOnCpu = true };
        var cache = new SessionCache();
        using var pipeline = FluxPipeline.Open(BuiltPackages.Directory("tiny"), options, log, cache);

        var fallback = Assert.Single(log.Messages, m => m.Contains("falling back to CPU", StringComparison.Ordinal));
        Assert.Contains(pipeline.Package.Io.Transformer.ModelFile, fallback, StringComparison.Ordinal);
        var settings = GenerationSettings.Defaults(pipeline.Package, "a red circle") with { Width = 64, Height = 64, Steps = 2 };
        Assert.Equal(packages.Tiny.Generate(settings).Png, pipeline.Generate(settings).Png);
        // The sessions that ran are the ones opening the package checked, each file loaded once.
        Assert.All(pipeline.Package.Io.All, c => Assert.Equal(1, cache.LoadCount(c.ModelFile)));
    }

    private sealed class WarningLog : ILogger
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (_messages)
                {
                    _messages.Add(formatter(state, exception));
                }
            }
        }
    }
}
