using System.ComponentModel.DataAnnotations;
using Flux.Inference.Sessions;

namespace Flux.Inference.Tests.Sessions;

/// <summary>
/// Flux:Inference:CudaGraph: the settings a captured CUDA graph cannot work with are refused at start-up with the
/// reason, and the CUDA provider options carry enable_cuda_graph only for the session that asks for it.
/// </summary>
public class CudaGraphOptionsTests
{
    private static readonly InferenceOptions Valid = new() { ExecutionProvider = ExecutionProviderKind.Cuda, CudaGraph = true };

    [Fact]
    public void CudaGraph_OnTheCudaProvider_IsValid() => Valid.Validate();

    [Theory]
    [InlineData(ExecutionProviderKind.Cpu, "ExecutionProvider cuda, not cpu")]
    [InlineData(ExecutionProviderKind.Auto, "auto may run on the CPU")]
    public void CudaGraph_WithoutTheCudaProvider_IsRefused(ExecutionProviderKind provider, string reason)
    {
        var ex = Assert.Throws<ValidationException>(() => Copy(Valid, o => o.ExecutionProvider = provider).Validate());
        Assert.Contains("CudaGraph", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CudaGraph_WithWarmUp_IsRefused_BecauseWarmUpRunsAnotherShape()
    {
        var ex = Assert.Throws<ValidationException>(() => Copy(Valid, o => o.WarmUp = true).Validate());
        Assert.Contains("WarmUp", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CudaGraph_WithConcurrentRunsPerDevice_IsRefused()
    {
        var ex = Assert.Throws<ValidationException>(() => Copy(Valid, o => o.MaxConcurrentRunsPerDevice = 2).Validate());
        Assert.Contains("MaxConcurrentRunsPerDevice 1, not 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutCudaGraph_TheSameSettingsStayValid()
    {
        new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu, WarmUp = true, MaxConcurrentRunsPerDevice = 2 }.Validate();
    }

    [Fact]
    public void CudaProviderOptions_EnableTheGraph_OnlyForTheCapturingSession()
    {
        var options = Copy(Valid, o => o.DeviceId = 3);

        Assert.Equal(new Dictionary<string, string> { ["device_id"] = "3", ["enable_cuda_graph"] = "1" }, options.CudaProviderOptions(captureGraph: true));
        Assert.Equal(new Dictionary<string, string> { ["device_id"] = "3" }, options.CudaProviderOptions(captureGraph: false));
    }

    private static InferenceOptions Copy(InferenceOptions source, Action<InferenceOptions> change)
    {
        var copy = new InferenceOptions
        {
            ExecutionProvider = source.ExecutionProvider,
            DeviceId = source.DeviceId,
            CudaGraph = source.CudaGraph,
            WarmUp = source.WarmUp,
            MaxConcurrentRunsPerDevice = source.MaxConcurrentRunsPerDevice,
        };
        change(copy);
        return copy;
    }
}
