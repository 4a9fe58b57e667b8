using Flux.Functions.Rendering;
using Flux.Inference.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Tests;

public sealed class FluxOptionsTests
{
    private static FluxOptions Bind(Dictionary<string, string?> settings) => Bind<FluxOptions>(settings);

    private static T Bind<T>(Dictionary<string, string?> settings)
        where T : class
    {
        using var app = Hosting.AppHost.Build(settings);
        return app.Services.GetRequiredService<IOptions<T>>().Value;
    }

    [Fact]
    public void SampleLocalSettings_BindAndValidate()
    {
        using var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Hosting.RepoPaths.Combine("local.settings.sample.json")));
        var settings = sample.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());

        var options = Bind(settings);

        Assert.Equal((4, 2, 8), (options.MaxParallelImages, options.CheckpointEverySteps, options.DenoiseChunkSteps));
        Assert.Null(options.EventGridTopicEndpoint);
        var inference = Bind<InferenceOptions>(settings);
        Assert.Equal((MemoryMode.Resident, 0, 1), (inference.MemoryMode, inference.IntraOpThreads, inference.MaxConcurrentRunsPerDevice));
        Assert.Equal((ExecutionProviderKind.Auto, 0), (inference.ExecutionProvider, inference.DeviceId));
        Assert.False(inference.TextEncodersOnCpu);
    }

    /// <summary>The T4 profile's app setting (infra/app/functionapp.bicep) reaches the sessions' options.</summary>
    [Fact]
    public void TextEncodersOnCpu_AsTheBicepTemplateWritesIt_IsBound()
    {
        var inference = Bind<InferenceOptions>(new() { ["Flux:Inference:TextEncodersOnCpu"] = "True", ["Flux:Inference:ExecutionProvider"] = "cuda" });

        Assert.True(inference.TextEncodersOnCpu);
    }

    [Theory]
    [InlineData("Flux:Inference:MemoryMode", "sequential", null)]
    [InlineData("Flux:Inference:MemoryMode", "swap", "Flux:Inference:MemoryMode")]
    [InlineData("Flux:Inference:MaxConcurrentRunsPerDevice", "0", "MaxConcurrentRunsPerDevice")]
    [InlineData("Flux:Inference:IntraOpThreads", "-1", "IntraOpThreads")]
    [InlineData("Flux:Inference:ExecutionProvider", "tpu", "Flux:Inference:ExecutionProvider")]
    [InlineData("Flux:Inference:DeviceId", "64", "DeviceId")]
    [InlineData("Flux:Inference:CudaGraph", "true", "Flux:Inference: CudaGraph needs ExecutionProvider cuda, not auto")]
    public void InferenceSettings_AreBoundAndValidatedAtStart(string key, string value, string? error)
    {
        Dictionary<string, string?> settings = new() { [key] = value };
        if (error is null)
        {
            Assert.Equal(MemoryMode.Sequential, Bind<InferenceOptions>(settings).MemoryMode);
            return;
        }

        var failure = Assert.ThrowsAny<Exception>(() => Bind<InferenceOptions>(settings));
        Assert.Contains(error, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Flux:MaxParallelImages", "0", "MaxParallelImages")]
    [InlineData("Flux:ModelPath", "/no/such/model", "Flux:ModelPath \"/no/such/model\" is not a folder")]
    [InlineData("Flux:CheckpointEverySteps", "50", "Flux:CheckpointEverySteps 50 exceeds Flux:DenoiseChunkSteps 8")]
    [InlineData("Flux:ImagesContainer", "Bad_Name", "ImagesContainer")]
    [InlineData("Flux:BlobServiceUri", "https://account.blob.core.windows.net", "must be set together")]
    [InlineData("Flux:StorageRetryDelay", "00:00:40", "Flux:StorageRetryDelay 00:00:40 exceeds Flux:StorageMaxRetryDelay 00:00:30")]
    [InlineData("Flux:StartBurst", "0", "StartBurst")]
    [InlineData("Flux:CancellationPollInterval", "00:00:00", "CancellationPollInterval")]
    [InlineData("Flux:MaxWidth", "8192", "The field MaxWidth must be between 16 and 4096")]   // wider than the pipeline: jobs would fail in Denoise
    [InlineData("Flux:MaxHeight", "4112", "The field MaxHeight must be between 16 and 4096")]
    [InlineData("Flux:MaxSteps", "1001", "The field MaxSteps must be between 1 and 1000")]
    public void InvalidSetting_FailsAtStartWithTheSettingNamed(string key, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
