using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;

namespace Flux.Cli.Commands;

/// <summary>Turns the text options of `flux model create` into validated builder options.</summary>
internal static class ModelCreateOptions
{
    private static readonly Dictionary<string, string> OptionNames = new(StringComparer.Ordinal)
    {
        [nameof(TinyFluxOptions.HiddenSize)] = "--hidden",
        [nameof(TinyFluxOptions.HeadCount)] = "--heads",
        [nameof(TinyFluxOptions.DoubleBlocks)] = "--double-blocks",
        [nameof(TinyFluxOptions.SingleBlocks)] = "--single-blocks",
        [nameof(TinyFluxOptions.T5Width)] = "--t5-width",
        [nameof(TinyFluxOptions.T5MaxLength)] = "--t5-length",
    };

    public static TinyFluxOptions Tiny(ModelCreateCommand.Settings s)
    {
        var preset = s.Preset switch
        {
            null or "default" => new TinyFluxOptions(),
            "flux-width" => TinyFluxOptions.FluxWidth,
            _ => throw new CliUsageException($"--preset '{s.Preset}' is not a preset (allowed: default, flux-width)"),
        };
        var options = preset with
        {
            Variant = s.Variant switch
            {
                null or "schnell" => FluxVariant.Schnell,
                "dev" => FluxVariant.Dev,
                _ => throw new CliUsageException($"--variant '{s.Variant}' is not a FLUX variant (allowed: schnell, dev)"),
            },
            HiddenSize = Int("--hidden", s.Hidden, preset.HiddenSize, 8, 8192),
            HeadCount = Int("--heads", s.Heads, preset.HeadCount, 1, 8192),
            DoubleBlocks = Int("--double-blocks", s.DoubleBlocks, preset.DoubleBlocks, 0, 64),
            SingleBlocks = Int("--single-blocks", s.SingleBlocks, preset.SingleBlocks, 0, 64),
            T5Width = Int("--t5-width", s.T5Width, preset.T5Width, 8, 8192),
            T5MaxLength = s.T5Length is null ? null : Int("--t5-length", s.T5Length, 0, 1, 4096),
            Seed = s.Seed is null ? preset.Seed : (ulong)Int("--seed", s.Seed, 0, 0, int.MaxValue),
            OptimumOutputNames = s.OptimumNames,
            Graph = GraphOption.Parse(s.Graph),
            Int4 = QuantizeOption.Parse(s.Quantize, s.BlockSize),
        };

        try
        {
            options.Validate();
        }
        catch (ArgumentException e) when (e.ParamName is not null && OptionNames.TryGetValue(e.ParamName, out var option))
        {
            throw new CliUsageException(option + e.Message[e.ParamName.Length..].Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal), e);   // "--heads 5 is out of range; ..."
        }

        return options;
    }

    public static ReferencePackageOptions Reference(ModelCreateCommand.Settings s) => new()
    {
        T5MaxLength = s.T5Length is null ? 256 : Int("--t5-length", s.T5Length, 0, 1, 4096),
        OptimumOutputNames = s.OptimumNames,
    };

    /// <summary>An optional integer option: <paramref name="fallback"/> when absent, else parsed and range-checked by <see cref="CliErrors"/>.</summary>
    private static int Int(string option, string? text, int fallback, int min, int max) =>
        text is null ? fallback
        : CliErrors.ParseInt(option, text, min, max, out var value) is { } failure ? throw new CliUsageException(failure.Message ?? option)
        : value;
}
