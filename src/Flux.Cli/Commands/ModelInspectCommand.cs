using System.ComponentModel;
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
            : CliErrors.Invalid("DIR", $"'{Directory}' is not a folder", "a model package folder, " + string.Join(", ", ModelArgument.BuiltInNames));
    }

    public override int Execute(CommandContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu };
        var package = ModelPackage.Open(ModelArgument.Resolve(arguments.Directory), options);
        var summary = new Grid().AddColumn().AddColumn();
        summary.AddRow("folder", Markup.Escape(package.Directory));
        summary.AddRow("layout", package.Layout.ToString());
        summary.AddRow("variant", $"{package.Variant} (from {Markup.Escape(package.VariantSource)})");
        summary.AddRow("T5 length", package.T5MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        summary.AddRow("defaults", $"{package.DefaultSteps} steps, guidance {package.DefaultGuidance}, shift {package.Shift}");
        summary.AddRow("VAE", $"z / {package.VaeScale} + {package.VaeShift}");
        summary.AddRow("size", package.FixedWidth is int w ? $"{w}x{package.FixedHeight} only" : "any multiple of 16");
        summary.AddRow("tokenizers", Markup.Escape($"{package.Files.ClipVocab}, {package.Files.ClipMerges}, {package.Files.T5SentencePiece}"));
        console.Write(summary);

        foreach (var component in package.Io.All)
        {
            using var lease = SessionCache.Shared.Acquire(component.ModelFile, options);
            var table = new Table().Title(Markup.Escape($"{component.Component}: {component.ModelFile}"))
                .AddColumn("").AddColumn("name").AddColumn("shape").AddColumn("type").AddColumn("contract role");
            var roles = component.Tensors.Values.ToDictionary(t => (t.IsInput, t.Name), t => t.Role);
            AddRows(table, "input", lease.Session.Inputs, true, roles);
            AddRows(table, "output", lease.Session.Outputs, false, roles);
            console.Write(table);
        }

        return 0;
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
