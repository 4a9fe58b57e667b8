using Flux.Inference;
using Flux.ModelBuilder;

namespace Flux.Cli.Commands;

/// <summary>Turns --model (a folder, or a built-in name) into a package folder, building a built-in one on first use.</summary>
internal static class ModelArgument
{
    public const string Description = "Model package folder, or a built-in package: tiny, tiny-dev, reference";

    public static IReadOnlyList<string> BuiltInNames => BuiltInPackages.Names;

    public static bool IsValid(string model) => BuiltInNames.Contains(model, StringComparer.OrdinalIgnoreCase) || Directory.Exists(model);

    public static string Resolve(string model) =>
        BuiltInNames.Contains(model, StringComparer.OrdinalIgnoreCase)
            ? BuiltInPackages.EnsureBuilt(model.ToLowerInvariant())
            : Path.GetFullPath(model);

    /// <summary>A setting the package rejects (e.g. a size the reference package cannot render) is a command-line mistake.</summary>
    public static T AsUsageError<T>(Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return run();
        }
        catch (InvalidGenerationSettingsException ex)
        {
            throw new CliUsageException("--" + ex.Message, ex);
        }
    }
}
