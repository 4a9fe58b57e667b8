using System.ComponentModel;
using Flux.Inference;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Microsoft.ML.OnnxRuntime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>`flux model inspect DIR`: what was detected (layout, variant, defaults) and every session's inputs and outputs.</summary>
public sealed class ModelInspectCommand(IAnsiConsole console) : Command<ModelInspectCommand.Arguments>
{
    public sealed class Arguments : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description(ModelArgument.Description)]
        public string Directory { get; init; } = string.Empty;

        public override ValidationResult Validate() => ModelArgument.IsValid(Directory)
            ? ValidationResult.Success()
            : ModelArgument.NotAModel("DIR", Directory);
    }

    public override int Execute(CommandContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu };
        string directory = ModelArgument.Resolve(arguments.Directory);
        var manifest = FluxManifest.Load(directory);
        var files = PackageFiles.Locate(directory, manifest);

        // Validation may fail on a foreign export; show what was found first, then report why it is not usable.
        ModelPackage? package = null;
        FluxModelException? invalid = null;
        try
        {
            package = ModelPackage.Open(directory, options);
        }
        catch (FluxModelException ex)
        {
            invalid = ex;
        }

        var summary = new Grid().AddColumn().AddColumn();
        summary.AddRow("folder", Markup.Escape(directory));
        summary.AddRow("layout", files.Layout.ToString());
        if (package is not null)
        {
            summary.AddRow("variant", $"{package.Variant} (from {Markup.Escape(package.VariantSource)})");
            summary.AddRow("T5 length", package.T5MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
            summary.AddRow("defaults", $"{package.DefaultSteps} steps, guidance {package.DefaultGuidance}, shift {package.Shift}");
            summary.AddRow("VAE", $"z / {package.VaeScale} + {package.VaeShift}");
            summary.AddRow("size", package.FixedWidth is int w ? $"{w}x{package.FixedHeight} only" : "any multiple of 16");
        }

        summary.AddRow("tokenizers", Markup.Escape($"{files.ClipVocab}, {files.ClipMerges}, {files.T5SentencePiece}"));
        console.Write(summary);

        var models = new List<(ModelComponent, string)> { (ModelComponent.ClipTextEncoder, files.ClipModel), (ModelComponent.T5TextEncoder, files.T5Model), (ModelComponent.Transformer, files.TransformerModel), (ModelComponent.VaeDecoder, files.VaeModel) };
        if (files.VaeEncoderModel is { } vaeEncoder)
        {
            models.Add((ModelComponent.VaeEncoder, vaeEncoder));   // optional: image-to-image
        }

        foreach (var (component, file) in models)
        {
            using var lease = SessionCache.Shared.Acquire(file, options);
            var table = new Table().Title(Markup.Escape($"{component}: {file}"))
                .AddColumn("").AddColumn("name").AddColumn("shape").AddColumn("type").AddColumn("contract role");
            var roles = package?.Io[component].Tensors.Values.ToDictionary(t => (t.IsInput, t.Name), t => t.Role) ?? [];
            AddRows(table, "input", lease.Session.Inputs, true, roles);
            AddRows(table, "output", lease.Session.Outputs, false, roles);
            console.Write(table);
        }

        return invalid is null ? 0 : throw invalid;
    }

    private static void AddRows(Table table, string direction, IReadOnlyDictionary<string, NodeMetadata> tensors, bool isInput, Dictionary<(bool, string), string> roles)
    {
        foreach (var (name, metadata) in tensors)
        {
            string shape = "(" + string.Join(", ", metadata.Dimensions.Select((d, i) =>
                d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : metadata.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?")) + ")";
            table.AddRow(direction, Markup.Escape(name), Markup.Escape(shape), metadata.ElementDataType.ToString(),
                roles.TryGetValue((isInput, name), out string? role) ? role : "-");
        }
    }
}
