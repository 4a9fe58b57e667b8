using Flux.Inference;
using Flux.ModelBuilder;

namespace Flux.Cli.Commands;

/// <summary>Turns --model (a folder, or a built-in name) into a package folder, building a built-in one on first use.</summary>
internal static class ModelArgument
{
    public const string Description = "Model package folder, or a built-in package: tiny, tiny-dev, reference (default)";

    public const string Default = "reference";

    public static IReadOnlyList<string> BuiltInNames => BuiltInPackages.Names;

    public static bool IsValid(string model) => BuiltInNames.Contains(model, StringComparer.OrdinalIgnoreCase) || Directory.Exists(model);

    /// <summary>The usage error for a model that is neither a folder nor a built-in name.</summary>
    public static Spectre.Console.ValidationResult NotAModel(string option, string model) =>
        CliErrors.Invalid(option, $"'{model}' is not a folder", "a model package folder, " + string.Join(", ", BuiltInNames));

    public static string Resolve(string model) =>
        BuiltInNames.Contains(model, StringComparer.OrdinalIgnoreCase)
            ? BuiltInPackages.EnsureBuilt(model.ToLowerInvariant())
            : Path.GetFullPath(model);

    /// <summary>
    /// A setting the package rejects (e.g. a size the reference package cannot render) is a command-line mistake: "--width ..."
    /// for an option, "prompt 2: width ..." for an item of a prompt list (<paramref name="item"/> says which).
    /// </summary>
    public static T AsUsageError<T>(Func<T> run, string item = "")
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return run();
        }
        catch (InvalidGenerationSettingsException ex)
        {
            throw new CliUsageException((item.Length == 0 ? "--" : item) + ex.Message, ex);
        }
    }
}
