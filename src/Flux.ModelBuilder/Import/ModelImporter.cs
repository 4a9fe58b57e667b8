using Flux.ModelBuilder.Import.Lora;
using Flux.ModelBuilder.Import.Transformer;
using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;

namespace Flux.ModelBuilder.Import;

/// <summary>
/// `flux model import`: turns a FLUX.1 checkpoint (Hugging Face folder, optionally BFL's single files) into a package
/// of our own graphs. Every component is planned first (configs, headers, shapes, LoRA keys all checked), then
/// written into a temporary sibling of the output folder that is renamed into place at the end, so a failed or
/// killed import never leaves a package behind.
/// </summary>
public static class ModelImporter
{
    public const string TransformerComponent = "transformer";
    public const string SourcesComponent = "checksums";

    /// <summary>Runs the import; bad input throws <see cref="ImportException"/> or the config readers' <see cref="InvalidDataException"/> (one line, naming the file) before any package exists.</summary>
    public static ImportManifest Import(ImportRequest request, IImportProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var output = Path.GetFullPath(request.Output);
        RemoveStaleTemporaries(output);
        if (Directory.Exists(output) && !request.Force)
        {
            throw new ImportException($"{output} already exists; pass --force to replace it");
        }

        if (!Directory.Exists(request.Source))
        {
            throw new ImportException($"{request.Source}: source folder not found (expected a FLUX.1 folder with model_index.json)");
        }

        RequireFile(Path.Combine(request.Source, "model_index.json"));
        var disposables = new List<IDisposable>();
        try
        {
            var inputs = new List<(string Path, string ShownAs)>();
            void Own(IDisposable disposable) => disposables.Add(disposable);
            void Inputs(IEnumerable<string> paths) => AddInputs(inputs, request.Source, paths);
            var (transformer, options) = PlanTransformer(request, inputs, disposables);
            var (clip, clipConfig) = TextEncoderSteps.Clip(request.Source, request.Precision, Own, Inputs);
            var (t5, t5Config) = TextEncoderSteps.T5(request.Source, request.Precision, Own, Inputs);
            RequireSameWidth(clipConfig.HiddenSize, "text_encoder/config.json hidden_size (pooled output)", options.PooledProjectionWidth, "the transformer's pooled_projection_dim");
            RequireSameWidth(t5Config.DModel, "text_encoder_2/config.json d_model", options.T5Width, "the transformer's joint_attention_dim");
            var (variant, textLength) = (options.Variant, options.TextLength);
            var (vaeStep, vaeConfig) = VaeSteps.Vae(request.Source, request.VaeFile, request.Precision, Own, Inputs);
            var steps = new List<ComponentStep> { clip, t5, transformer, vaeStep };
            steps.AddRange(PlanTokenizers(request.Source, inputs));
            var vae = (Scale: vaeConfig.ScaleFactor, Shift: vaeConfig.ShiftFactor);

            ImportManifest? manifest = null;
            PackageDirectory.WriteAtomically(output, directory =>
            {
                foreach (var step in steps)
                {
                    progress?.Begin(step.Component, step.Bytes);
                }

                // The inputs' SHA-256 is computed on another thread while the graphs are written: hashing 2 GB took a
                // third of the import bench's time when it ran after the writes (docs/benchmarks.md, "Import (issue 12)").
                using var cancel = new CancellationTokenSource();
                var sources = HashInputsAsync(inputs, progress, cancel.Token);
                try
                {
                    foreach (var step in steps)
                    {
                        step.Write(directory, bytes => progress?.Advance(step.Component, bytes));
                    }
                }
                catch
                {
                    cancel.Cancel();
                    try
                    {
                        sources.Wait(CancellationToken.None);
                    }
                    catch (AggregateException)
                    {
                        // The write's exception is the one to report.
                    }

                    throw;
                }

                manifest = WriteManifest(directory, request, variant, textLength, vae, sources.GetAwaiter().GetResult());
            }, replace: request.Force);
            return manifest!;
        }
        finally
        {
            disposables.ForEach(d => d.Dispose());
        }
    }

    /// <summary>Deletes what a killed import left next to <paramref name="output"/> (PackageDirectory's .{name}.*.tmp / .old folders).</summary>
    public static void RemoveStaleTemporaries(string output)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(parent))
        {
            return;
        }

        var name = Path.GetFileName(output);
        foreach (var pattern in new[] { $".{name}.*.tmp", $".{name}.*.old" })
        {
            foreach (var stale in Directory.GetDirectories(parent, pattern))
            {
                Directory.Delete(stale, recursive: true);
            }
        }
    }

    private static (ComponentStep Step, TinyFluxOptions Options) PlanTransformer(ImportRequest request, List<(string, string)> inputs, List<IDisposable> disposables)
    {
        var path = request.TransformerFile ?? Path.Combine(request.Source, "transformer");
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new ImportException($"{path}: transformer checkpoint not found");
        }

        var import = TransformerImport.Open(path, request.Variant);
        disposables.Add(import);
        var loras = LoraSet.Open(request.Loras);
        disposables.Add(loras);

        // LoRA updates are added in fp32 while each weight streams, before it is narrowed to the package precision.
        var parameters = import.Parameters(request.Precision, (name, shape) => loras.UpdatesFor(name, shape, import.Config.Hidden));
        var options = import.Options(request.T5MaxLength, request.Int4, request.Graph);
        var graph = import.Build(parameters, options);
        loras.EnsureAllUsed(request.LoraIgnoreUnknown);
        AddInputs(inputs, request, import.Checkpoint.Files.Select(f => f.Path).Append(import.Checkpoint.Source).Append(Path.Combine(path, "config.json")));
        AddInputs(inputs, request, request.Loras.Select(l => l.Path));
        return (GraphStep(TransformerComponent, parameters, (TransformerComponent, graph)), options);
    }

    /// <summary>A step writing <paramref name="graphs"/> (folder, graph) whose weights all come from <paramref name="parameters"/>.</summary>
    internal static ComponentStep GraphStep(string component, CheckpointParameters parameters, params (string Folder, BuiltGraph Graph)[] graphs) =>
        new(component, parameters.PlannedBytes, (directory, advance) =>
        {
            parameters.Progress = advance;
            foreach (var (folder, graph) in graphs)
            {
                graph.Write(Path.Combine(Directory.CreateDirectory(Path.Combine(directory, folder)).FullName, "model.onnx"));
            }
        });

    /// <summary>CLIP's vocab.json and merges.txt and T5's spiece.model, copied as they are (the loader handles T5's bos_id = -1).</summary>
    private static IEnumerable<ComponentStep> PlanTokenizers(string source, List<(string, string)> inputs)
    {
        string[] files = ["tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer_2/spiece.model"];
        foreach (var file in files)
        {
            RequireFile(Path.Combine(source, file));
        }

        AddInputs(inputs, source, files.Select(f => Path.Combine(source, f)));
        var bytes = files.Sum(f => new FileInfo(Path.Combine(source, f)).Length);
        yield return new ComponentStep("tokenizers", bytes, (directory, advance) =>
        {
            foreach (var file in files)
            {
                var target = Path.Combine(directory, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(source, file), target);
                advance(new FileInfo(target).Length);
            }
        });
    }

    /// <summary>Size and SHA-256 of every distinct input, in the order of their names, on a thread-pool thread.</summary>
    private static Task<List<SourceFile>> HashInputsAsync(List<(string Path, string ShownAs)> inputs, IImportProgress? progress, CancellationToken cancellationToken)
    {
        var distinct = inputs.DistinctBy(i => Path.GetFullPath(i.Path)).Where(i => File.Exists(i.Path)).OrderBy(i => i.ShownAs, StringComparer.Ordinal).ToList();
        progress?.Begin(SourcesComponent, distinct.Sum(i => new FileInfo(i.Path).Length));
        return Task.Run(() => distinct.Select(i => ImportManifest.Describe(i.Path, i.ShownAs, bytes => progress?.Advance(SourcesComponent, bytes), cancellationToken)).ToList(), cancellationToken);
    }

    private static ImportManifest WriteManifest(
        string directory, ImportRequest request, FluxVariant variant, int textLength, (double Scale, double Shift) vae, List<SourceFile> sources)
    {
        var dev = variant == FluxVariant.Dev;
        var manifest = new ImportManifest(
            Variant: dev ? "dev" : "schnell",
            T5MaxLength: textLength,
            DefaultSteps: dev ? 50 : 4,
            DefaultGuidance: dev ? 3.5 : 0,
            Shift: dev ? "dynamic" : "none",
            VaeScale: vae.Scale,
            VaeShift: vae.Shift,
            TransformerOutput: "latent",
            Kind: "imported",
            Precision: request.Precision.ToString().ToLowerInvariant(),
            Quantize: request.Int4 is null ? "none" : "int4",
            Int4BlockSize: request.Int4?.BlockSize,
            Graph: request.Graph.ToString().ToLowerInvariant(),
            Loras: [.. request.Loras.Select(l => l with { Path = Path.GetFileName(l.Path) })],
            Sources: sources);
        File.WriteAllText(Path.Combine(directory, "flux.json"), manifest.ToJson());
        PackageLayout.WriteModelIndex(directory);
        return manifest;
    }

    private static void AddInputs(List<(string, string)> inputs, ImportRequest request, IEnumerable<string> paths) =>
        AddInputs(inputs, request.Source, paths);

    private static void AddInputs(List<(string, string)> inputs, string source, IEnumerable<string> paths)
    {
        var root = Path.GetFullPath(source);
        foreach (var path in paths.Where(File.Exists))
        {
            var full = Path.GetFullPath(path);
            var relative = Path.GetRelativePath(root, full);
            inputs.Add((full, (relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFileName(full) : relative).Replace('\\', '/')));
        }
    }

    /// <summary>The encoders' widths are the transformer's input widths; configs from different models disagree here.</summary>
    private static void RequireSameWidth(int encoder, string encoderField, int transformer, string transformerField)
    {
        if (encoder != transformer)
        {
            throw new ImportException($"{encoderField} is {encoder} but {transformerField} is {transformer}; the components come from different models");
        }
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ImportException($"{path}: file not found");
        }
    }
}
