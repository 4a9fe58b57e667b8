using Flux.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli;

/// <summary>Registers every `flux` command; each command lives in its own file under Commands/.</summary>
public static class CliSetup
{
    /// <summary>Configures the app with errors reported on standard error.</summary>
    public static void Configure(IConfigurator config) => Configure(config, errorConsole: null);

    /// <summary>Configures the app; failures are reported through <see cref="CliErrors"/> on <paramref name="errorConsole"/>.</summary>
    public static void Configure(IConfigurator config, IAnsiConsole? errorConsole)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.SetApplicationName("flux");
        config.Settings.StrictParsing = true;   // an unknown option is an error, not a silently ignored argument
        config.SetExceptionHandler((exception, _) => CliErrors.Report(exception, errorConsole ?? CliErrors.StandardError));
        // Commands are registered here, one line each.
        config.AddCommand<ScheduleCommand>("schedule").WithDescription("Print the N+1 timesteps of a FLUX schedule.");
        config.AddCommand<TokenizeCommand>("tokenize").WithDescription("Print the CLIP and T5 input ids of a prompt.");
        config.AddCommand<GenerateCommand>("generate").WithDescription("Generate images from a prompt.");
        config.AddCommand<BenchCommand>("bench").WithDescription("Measure pipeline overhead and allocations per step.");
        config.AddBranch("model", model =>
        {
            model.AddCommand<ModelCreateCommand>("create").WithDescription("Write a built-in model package (tiny or reference) into a folder.");
            model.AddCommand<ModelImportCommand>("import").WithDescription("Build a package of our own ONNX graphs from a FLUX.1 checkpoint (Hugging Face folder or BFL files).");
            model.AddCommand<ModelInspectCommand>("inspect").WithDescription("Show what was detected in a model package.");
        });
    }
}
