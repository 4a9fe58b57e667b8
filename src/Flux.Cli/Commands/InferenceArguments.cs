using System.ComponentModel;
using System.Globalization;
using Flux.Inference.Sessions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>Options shared by the commands that run a model; numbers are parsed here so errors name the option.</summary>
public class InferenceArguments : CommandSettings
{
    private static readonly string[] Providers = ["auto", "cpu", "cuda"];

    [CommandOption("--model <MODEL>")]
    [Description(ModelArgument.Description)]
    public string Model { get; init; } = ModelArgument.Default;

    [CommandOption("--provider <PROVIDER>")]
    [Description("Execution provider: auto (CUDA if available, else CPU), cpu, cuda")]
    public string Provider { get; init; } = "auto";

    [CommandOption("--device <ID>")]
    [Description("CUDA device id, 0 to 63")]
    public string? Device { get; init; }

    [CommandOption("--cuda-graph")]
    [Description("Replay the transformer as one captured CUDA graph (needs --provider cuda; one image size per run of the tool)")]
    public bool CudaGraph { get; init; }

    [CommandOption("--text-encoders-on-cpu")]
    [Description("Run CLIP and T5 on the CPU from host memory, the transformer and VAE on the GPU (T5-XXL's ~19 GB then needs no GPU memory)")]
    public bool TextEncodersOnCpu { get; init; }

    internal int DeviceId { get; private set; }

    public override ValidationResult Validate()
    {
        if (!ModelArgument.IsValid(Model))
        {
            return ModelArgument.NotAModel("--model", Model);
        }

        if (!Providers.Contains(Provider, StringComparer.OrdinalIgnoreCase))
        {
            return CliErrors.Invalid("--provider", $"'{Provider}' is not a provider", string.Join(", ", Providers));
        }

        if (CudaGraph && !string.Equals(Provider, "cuda", StringComparison.OrdinalIgnoreCase))
        {
            return CliErrors.Invalid("--cuda-graph", $"needs --provider cuda, not {Provider.ToLowerInvariant()} (graph capture is a CUDA provider feature)", "--provider cuda");
        }

        return Optional("--device", Device, 0, 63, 0, out int device) ?? Set(() => DeviceId = device);
    }

    public InferenceOptions ToOptions() => new()
    {
        ExecutionProvider = Enum.Parse<ExecutionProviderKind>(Provider, ignoreCase: true),
        DeviceId = DeviceId,
        CudaGraph = CudaGraph,
        TextEncodersOnCpu = TextEncodersOnCpu,
    };

    /// <summary>Parses an optional integer option; null when valid (absent -> <paramref name="fallback"/>).</summary>
    protected static ValidationResult? Optional(string option, string? text, int min, int max, int fallback, out int value)
    {
        if (text is null)
        {
            value = fallback;
            return null;
        }

        return CliErrors.ParseInt(option, text, min, max, out value);
    }

    /// <summary>Parses an optional number option in [min, max]; null when valid.</summary>
    protected static ValidationResult? Optional(string option, string? text, float min, float max, out float? value)
    {
        value = null;
        if (text is null)
        {
            return null;
        }

        string allowed = string.Create(CultureInfo.InvariantCulture, $"{min} to {max}");
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed) || !float.IsFinite(parsed))
        {
            return CliErrors.Invalid(option, $"'{text}' is not a number", allowed);
        }

        if (parsed < min || parsed > max)
        {
            return CliErrors.Invalid(option, string.Create(CultureInfo.InvariantCulture, $"{parsed} is out of range"), allowed);
        }

        value = parsed;
        return null;
    }

    protected static ValidationResult Set(Action assign)
    {
        ArgumentNullException.ThrowIfNull(assign);
        assign();
        return ValidationResult.Success();
    }
}
