using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>`flux model create tiny|reference --out DIR`: writes a built-in model package into a folder.</summary>
public sealed class ModelCreateCommand(IAnsiConsole console) : Command<ModelCreateCommand.Settings>
{
    /// <summary>Options of `flux model create`.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>"tiny" or "reference".</summary>
        [CommandArgument(0, "<KIND>")]
        [Description("tiny (FLUX architecture, random weights) or reference (exact flow field of the built-in shape set).")]
        public string Kind { get; init; } = string.Empty;

        /// <summary>The package folder to write.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Folder to write the package into (must not exist or be empty, unless --force).")]
        public string? Out { get; init; }

        /// <summary>Replace an existing non-empty folder.</summary>
        [CommandOption("--force")]
        [Description("Replace the folder if it already holds files.")]
        public bool Force { get; init; }

        /// <summary>schnell or dev (tiny only).</summary>
        [CommandOption("--variant <VARIANT>")]
        [Description("tiny: schnell (default) or dev (adds the guidance input).")]
        public string? Variant { get; init; }

        /// <summary>default or flux-width (tiny only).</summary>
        [CommandOption("--preset <PRESET>")]
        [Description("tiny: default (toy width) or flux-width (FLUX.1's width 3072, 24 heads, one block of each kind; ~2 GB).")]
        public string? Preset { get; init; }

        [CommandOption("--hidden <N>")]
        [Description("tiny: transformer width (8 to 8192).")]
        public string? Hidden { get; init; }

        [CommandOption("--heads <N>")]
        [Description("tiny: attention heads (divides the width, head width even and >= 6).")]
        public string? Heads { get; init; }

        [CommandOption("--double-blocks <N>")]
        [Description("tiny: double-stream blocks (0 to 64).")]
        public string? DoubleBlocks { get; init; }

        [CommandOption("--single-blocks <N>")]
        [Description("tiny: single-stream blocks (0 to 64).")]
        public string? SingleBlocks { get; init; }

        [CommandOption("--t5-width <N>")]
        [Description("tiny: T5-like encoder width, the transformer's context width (8 to 8192, multiple of 4).")]
        public string? T5Width { get; init; }

        [CommandOption("--t5-length <N>")]
        [Description("T5 sequence length T (1 to 4096). Default: 256 (schnell, reference) or 512 (dev).")]
        public string? T5Length { get; init; }

        /// <summary>plain or fused transformer operators (tiny only).</summary>
        [CommandOption("--graph <GRAPH>")]
        [Description("tiny: " + GraphOption.Description)]
        public string? Graph { get; init; }

        /// <summary>none or int4 transformer block weights (tiny only).</summary>
        [CommandOption("--quantize <KIND>")]
        [Description("tiny: none (default, fp32) or int4 (the transformer's block linears as 4-bit blocks for ONNX Runtime's MatMulNBits).")]
        public string? Quantize { get; init; }

        /// <summary>int4 block size along each weight row.</summary>
        [CommandOption("--block-size <N>")]
        [Description("tiny, with --quantize int4: weights per 4-bit block, 32, 64 (default) or 128; smaller is more exact and larger.")]
        public string? BlockSize { get; init; }

        [CommandOption("--seed <N>")]
        [Description("tiny: seed of the pseudo-random weights (default 42).")]
        public string? Seed { get; init; }

        /// <summary>Optimum's transformer output name.</summary>
        [CommandOption("--optimum-names")]
        [Description("Name the transformer output out_hidden_states (optimum) instead of latent (BFL).")]
        public bool OptimumNames { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (Kind is not ("tiny" or "reference"))
            {
                return CliErrors.Invalid("KIND", $"'{Kind}' is not a package kind", "tiny, reference");
            }

            if (string.IsNullOrWhiteSpace(Out))
            {
                return CliErrors.Invalid("--out", "is required", "a folder path");
            }

            if (Kind == "reference" && FirstTinyOnlyOption() is { } tinyOnly)
            {
                return CliErrors.Invalid(tinyOnly, "applies to tiny packages only", "--t5-length, --optimum-names, --out, --force for reference");
            }

            return ValidationResult.Success();
        }

        private string? FirstTinyOnlyOption() =>
            new (string Name, string? Value)[]
            {
                ("--variant", Variant), ("--preset", Preset), ("--hidden", Hidden), ("--heads", Heads), ("--double-blocks", DoubleBlocks),
                ("--single-blocks", SingleBlocks), ("--t5-width", T5Width), ("--seed", Seed), ("--graph", Graph),
                ("--quantize", Quantize), ("--block-size", BlockSize),
            }.FirstOrDefault(o => o.Value is not null).Name;
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var target = Path.GetFullPath(settings.Out!);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !settings.Force)
        {
            throw new CliUsageException($"--out {target} already exists and is not empty (use --force to replace it)");
        }

        Action<string> write = settings.Kind == "tiny"
            ? TinyWriter(ModelCreateOptions.Tiny(settings))
            : ReferenceWriter(ModelCreateOptions.Reference(settings));
        var watch = Stopwatch.StartNew();
        PackageDirectory.WriteAtomically(target, write, replace: true);
        watch.Stop();

        var files = PackageDirectory.Files(target);
        var table = new Table().AddColumn("file").AddColumn(new TableColumn("bytes").RightAligned());
        foreach (var (path, bytes) in files)
        {
            table.AddRow(Markup.Escape(path), bytes.ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote [bold]{settings.Kind}[/] package to {Markup.Escape(target)}: {files.Sum(f => f.Bytes) / 1e6:0.0} MB in {watch.Elapsed.TotalSeconds:0.00} s"));
        return 0;
    }

    private static Action<string> TinyWriter(TinyFluxOptions options) => dir => TinyPackage.Write(dir, options);

    private static Action<string> ReferenceWriter(ReferencePackageOptions options) => dir => ReferencePackage.Write(dir, options);
}
