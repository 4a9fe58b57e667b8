namespace Flux.Inference.Packages;

/// <summary>How the package folder is laid out.</summary>
public enum PackageLayout
{
    /// <summary>diffusers/optimum: model_index.json, text_encoder/, text_encoder_2/, transformer/, vae_decoder/, tokenizer/, tokenizer_2/, optional vae_encoder/.</summary>
    Diffusers,
    /// <summary>BFL's ONNX exports: clip.opt/, t5.opt/, transformer.opt/&lt;precision&gt;/, vae.opt/, no tokenizers.</summary>
    Bfl,
}

/// <summary>The files of a package, located by layout and flux.json.</summary>
public sealed record PackageFiles(
    PackageLayout Layout,
    string ClipModel,
    string T5Model,
    string TransformerModel,
    string VaeModel,
    string ClipVocab,
    string ClipMerges,
    string T5SentencePiece)
{
    private static readonly string[] PreferredPrecisions = ["bf16", "fp16", "fp32"];

    /// <summary>Finds the files; throws <see cref="FluxModelException"/> naming what is missing.</summary>
    public static PackageFiles Locate(string directory, FluxManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!Directory.Exists(directory))
        {
            throw new FluxModelException($"model directory {directory} does not exist", directory);
        }

        if (Directory.Exists(Path.Combine(directory, "clip.opt")))
        {
            return LocateBfl(directory, manifest);
        }

        if (File.Exists(Path.Combine(directory, "model_index.json")) || Directory.Exists(Path.Combine(directory, "transformer")))
        {
            return LocateDiffusers(directory, manifest);
        }

        throw new FluxModelException(
            $"directory {directory} is not a FLUX model package: expected model_index.json with text_encoder/, text_encoder_2/, transformer/, vae_decoder/ " +
            "(diffusers/optimum layout) or clip.opt/, t5.opt/, transformer.opt/, vae.opt/ (BFL's ONNX layout)",
            directory);
    }

    /// <summary>vae_encoder/model.onnx when the package has one (diffusers/optimum layout), for image-to-image; else null.</summary>
    public string? VaeEncoderModel { get; init; }

    /// <summary>Every file the package needs, for existence checks and for `flux model inspect`.</summary>
    public IEnumerable<string> All => [ClipModel, T5Model, TransformerModel, VaeModel, ClipVocab, ClipMerges, T5SentencePiece];

    /// <summary>
    /// The tokenizer files alone, for tools that load no sessions (`flux tokenize`): flux.json's clipTokenizer and
    /// t5Tokenizer, else the diffusers folders tokenizer/ and tokenizer_2/. Existence is not checked here.
    /// </summary>
    public static (string ClipVocab, string ClipMerges, string T5SentencePiece) LocateTokenizers(string directory, FluxManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        string clipTokenizer = Resolve(directory, manifest.ClipTokenizer) ?? Path.Combine(directory, "tokenizer");
        string t5Tokenizer = Resolve(directory, manifest.T5Tokenizer) ?? Path.Combine(directory, "tokenizer_2");
        return (Path.Combine(clipTokenizer, "vocab.json"), Path.Combine(clipTokenizer, "merges.txt"), SentencePieceFile(t5Tokenizer));
    }

    private static PackageFiles LocateDiffusers(string directory, FluxManifest manifest)
    {
        var (clipVocab, clipMerges, t5SentencePiece) = LocateTokenizers(directory, manifest);
        return Checked(new PackageFiles(
            PackageLayout.Diffusers,
            Path.Combine(directory, "text_encoder", "model.onnx"),
            Path.Combine(directory, "text_encoder_2", "model.onnx"),
            Path.Combine(directory, "transformer", "model.onnx"),
            Path.Combine(directory, "vae_decoder", "model.onnx"),
            clipVocab,
            clipMerges,
            t5SentencePiece) { VaeEncoderModel = ExistingOrNull(Path.Combine(directory, "vae_encoder", "model.onnx")) });
    }

    private static PackageFiles LocateBfl(string directory, FluxManifest manifest)
    {
        string? clipTokenizer = Resolve(directory, manifest.ClipTokenizer);
        string? t5Tokenizer = Resolve(directory, manifest.T5Tokenizer);
        if (clipTokenizer is null || t5Tokenizer is null)
        {
            throw new FluxModelException(
                $"{directory} is a BFL ONNX package, which ships without tokenizers: set \"clipTokenizer\" (folder with vocab.json and merges.txt) " +
                $"and \"t5Tokenizer\" (spiece.model) in {Path.Combine(directory, FluxManifest.FileName)}",
                directory);
        }

        string transformerRoot = Path.Combine(directory, "transformer.opt");
        string transformerFolder = manifest.TransformerPrecision is { } precision
            ? Path.Combine(transformerRoot, precision)
            : PreferredPrecisions.Select(p => Path.Combine(transformerRoot, p)).FirstOrDefault(Directory.Exists)
              ?? (Directory.Exists(transformerRoot) ? Directory.GetDirectories(transformerRoot).Order(StringComparer.Ordinal).FirstOrDefault() : null)
              ?? transformerRoot;
        return Checked(new PackageFiles(
            PackageLayout.Bfl,
            OnnxIn(Path.Combine(directory, "clip.opt")),
            OnnxIn(Path.Combine(directory, "t5.opt")),
            OnnxIn(transformerFolder),
            OnnxIn(Path.Combine(directory, "vae.opt")),
            Path.Combine(clipTokenizer, "vocab.json"),
            Path.Combine(clipTokenizer, "merges.txt"),
            SentencePieceFile(t5Tokenizer)));
    }

    private static PackageFiles Checked(PackageFiles files)
    {
        foreach (string file in files.All.Where(f => !File.Exists(f)))
        {
            throw new FluxModelException($"model file {file} is missing", file);
        }

        return files;
    }

    /// <summary>model.onnx in a folder, else its only .onnx file.</summary>
    private static string OnnxIn(string folder)
    {
        string model = Path.Combine(folder, "model.onnx");
        if (File.Exists(model) || !Directory.Exists(folder))
        {
            return model;
        }

        string[] candidates = Directory.GetFiles(folder, "*.onnx");
        return candidates.Length == 1 ? candidates[0] : model;
    }

    private static string? ExistingOrNull(string file) => File.Exists(file) ? file : null;

    private static string SentencePieceFile(string pathOrFolder) =>
        Directory.Exists(pathOrFolder) ? Path.Combine(pathOrFolder, "spiece.model") : pathOrFolder;

    private static string? Resolve(string directory, string? relative) =>
        relative is null ? null : Path.GetFullPath(Path.Combine(directory, relative));
}
