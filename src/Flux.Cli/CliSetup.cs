using Flux.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli;

/// <summary>Registers every `flux` command; each command lives in its own file under Commands/.</summary>
public static class CliSetup
{
    /// <summary>What a lone "-" (standard input, as a prompt or a --prompts file) becomes before parsing: Spectre reads "-" as a nameless option.</summary>
    public const string StandardInputArgument = "@-";

    /// <summary>`flux --version`: the tool's version and the ONNX Runtime it runs, e.g. "0.1.0 (ONNX Runtime 1.32.0 (Cpu))".</summary>
    public static string Version =>
        $"{typeof(CliSetup).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0]} ({Inference.Sessions.OnnxRuntimeBuild.Description})";

    /// <summary>The command line as Spectre should see it: a lone "-" becomes <see cref="StandardInputArgument"/>.</summary>
    public static string[] PrepareArguments(IEnumerable<string> args) => [.. args.Select(a => a == "-" ? StandardInputArgument : a)];

    /// <summary>Configures the app with errors reported on standard error.</summary>
    public static void Configure(IConfigurator config) => Configure(config, errorConsole: null);

    /// <summary>Configures the app; failures are reported through <see cref="CliErrors"/> on <paramref name="errorConsole"/>.</summary>
    public static void Configure(IConfigurator config, IAnsiConsole? errorConsole)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.SetApplicationName("flux");
        config.SetApplicationVersion(Version);
        config.Settings.StrictParsing = true;   // an unknown option is an error, not a silently ignored argument
        var errors = new ErrorConsole(errorConsole ?? CliErrors.StandardError);
        config.Settings.Registrar.RegisterInstance(errors);   // warnings and the run summary's notes go to stderr
        config.SetExceptionHandler((exception, _) => CliErrors.Report(exception, errors.Console));
        // Commands are registered here, one line each.
        config.AddCommand<ScheduleCommand>("schedule").WithDescription("Print the N+1 timesteps of a FLUX schedule.");
        config.AddCommand<TokenizeCommand>("tokenize").WithDescription("Print the CLIP and T5 input ids of a prompt.");
        config.AddCommand<GenerateCommand>("generate").WithDescription("Generate images from a prompt.");
        config.AddCommand<BenchCommand>("bench").WithDescription("Measure pipeline overhead and allocations per step.");
        config.AddBranch("model", model =>
        {
            model.SetDescription("Create and inspect model packages.");
            model.AddCommand<ModelCreateCommand>("create").WithDescription("Write a built-in model package (tiny or reference) into a folder.");
            model.AddCommand<ModelImportCommand>("import").WithDescription("Build a package of our own ONNX graphs from a FLUX.1 checkpoint (Hugging Face folder or BFL files).");
            model.AddCommand<ModelInspectCommand>("inspect").WithDescription("Show what was detected in a model package.");
        });
    }
}
