using System.ComponentModel.DataAnnotations;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Rendering;

internal static class RendererServiceCollectionExtensions
{
    /// <summary>The package built in when Flux:ModelPath is empty.</summary>
    public const string DefaultPackage = "reference";

    /// <summary>
    /// The ONNX pipeline as the process-wide renderer: one <see cref="FluxPipeline"/> (its sessions
    /// loaded once) over Flux:ModelPath, or the built-in reference package, built on first start.
    /// ONNX Runtime settings bind from "Flux:Inference" and are used as bound (execution provider auto, cpu or
    /// cuda and its device id, threads, runs per device, memory mode resident or sequential; validated at start-up).
    /// A hosted service opens it when the host starts, so the first request does not pay for it.
    /// </summary>
    public static IServiceCollection AddFluxPipelineRenderer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InferenceOptions>()
            .Bind(configuration.GetSection(InferenceOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.TryAddSingleton<IImageRenderer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FluxOptions>>().Value;
            var inference = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<FluxPipelineRenderer>();
            string directory = options.ModelPath.Length > 0 ? options.ModelPath : BuiltInPackages.EnsureBuilt(DefaultPackage, logger: logger);
            return new FluxPipelineRenderer(FluxPipeline.Open(directory, inference, logger), options.CheckpointEverySteps);
        });
        services.AddHostedService<RendererWarmUp>();
        return services;
    }

    /// <summary>
    /// Opens the renderer (and builds the default package) in the background at start-up. A damaged or
    /// unusable model is logged with the file at fault and does not stop the host: health and status
    /// routes keep answering, and every use of the renderer fails with the same <see cref="FluxModelException"/>.
    /// </summary>
    private sealed class RendererWarmUp(IServiceProvider services, ILogger<RendererWarmUp> logger) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
            => Task.Run(
                () =>
                {
                    try
                    {
                        var renderer = services.GetRequiredService<IImageRenderer>();
                        Log.RendererReady(logger, renderer.ModelId);
                    }
                    catch (FluxModelException e)
                    {
                        Log.RendererFailed(logger, e.ModelFile ?? "(package)", e.Message, e);
                    }
                },
                stoppingToken);
    }

    /// <summary>Start-up validation by <see cref="InferenceOptions.Validate"/> itself, each failure prefixed with the settings section.</summary>
    private sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
    {
        public ValidateOptionsResult Validate(string? name, InferenceOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ValidationException e)
            {
                return ValidateOptionsResult.Fail($"{InferenceOptions.SectionName}: {e.Message}");
            }
        }
    }
}
