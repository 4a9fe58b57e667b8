using Flux.Core;
using Flux.Inference.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Inference.Packages;

/// <summary>schnell (timestep-distilled, no guidance input) or dev (guidance-distilled, guidance input).</summary>
public enum FluxVariant
{
    Schnell,
    Dev,
}

/// <summary>
/// A FLUX model package: its files (diffusers/optimum or BFL layout), flux.json overrides, the detected
/// variant and defaults, and every session's IO validated against the contract by name.
/// </summary>
public sealed class ModelPackage
{
    public const int SchnellT5Length = 256;
    public const int DevT5Length = 512;
    public const int SchnellDefaultSteps = 4;
    public const int DevDefaultSteps = 50;
    public const float DevDefaultGuidance = 3.5f;

    private ModelPackage(string directory, FluxManifest manifest, PackageFiles files, PackageIo io, FluxVariant variant, string variantSource, int t5MaxLength)
    {
        Directory = directory;
        Manifest = manifest;
        Files = files;
        Io = io;
        Variant = variant;
        VariantSource = variantSource;
        T5MaxLength = t5MaxLength;
        DefaultSteps = manifest.DefaultSteps ?? (variant == FluxVariant.Dev ? DevDefaultSteps : SchnellDefaultSteps);
        DefaultGuidance = manifest.DefaultGuidance ?? (variant == FluxVariant.Dev ? DevDefaultGuidance : 0f);
        Shift = ParseShift(manifest, variant, directory);
        VaeScale = manifest.VaeScale ?? FluxConstants.VaeScalingFactor;
        VaeShift = manifest.VaeShift ?? FluxConstants.VaeShiftFactor;
        Name = manifest.Kind ?? System.IO.Path.GetFileName(directory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
    }

    public string Directory { get; }

    /// <summary>The kind from flux.json ("tiny", "reference"), else the folder name; goes into PNG metadata.</summary>
    public string Name { get; }

    public FluxManifest Manifest { get; }

    public PackageFiles Files { get; }

    public PackageLayout Layout => Files.Layout;

    public PackageIo Io { get; }

    public FluxVariant Variant { get; }

    /// <summary>Where the variant came from: "flux.json" or "guidance input".</summary>
    public string VariantSource { get; }

    public int T5MaxLength { get; }

    public int DefaultSteps { get; }

    public float DefaultGuidance { get; }

    /// <summary>The schedule's time shift: flux.json "shift", else none for schnell and dynamic for dev.</summary>
    public ScheduleShift Shift { get; }

    public float VaeScale { get; }

    public float VaeShift { get; }

    /// <summary>Set when the package renders one size only (the reference package).</summary>
    public int? FixedWidth => Manifest.Width;

    public int? FixedHeight => Manifest.Height;

    /// <summary>
    /// Opens a package: locates its files, reads flux.json, loads every session once through the shared
    /// cache and validates its IO against the contract (errors name the file, tensor, expected and actual).
    /// </summary>
    public static ModelPackage Open(string directory, InferenceOptions? options = null, SessionCache? cache = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new InferenceOptions();
        options.Validate();
        cache ??= SessionCache.Shared;
        logger ??= NullLogger.Instance;
        string full = System.IO.Path.GetFullPath(directory);
        var manifest = FluxManifest.Load(full);
        var files = PackageFiles.Locate(full, manifest);
        var io = PackageIo.Validate(files, manifest, options, cache, logger);

        var (variant, source) = DetectVariant(manifest, io, full);
        int t5Length = manifest.T5MaxLength ?? io.Dimensions["T"] ?? (variant == FluxVariant.Dev ? DevT5Length : SchnellT5Length);
        if (io.Dimensions["T"] is int declared && declared != t5Length)
        {
            throw new FluxModelException(
                $"{System.IO.Path.Combine(full, FluxManifest.FileName)} sets t5MaxLength {t5Length} but the sessions declare T = {declared}",
                files.T5Model,
                "input_ids");
        }

        var package = new ModelPackage(full, manifest, files, io, variant, source, t5Length);
        Log.PackageOpened(logger, full, package.Layout.ToString(), package.Variant.ToString());
        return package;
    }

    private static (FluxVariant Variant, string Source) DetectVariant(FluxManifest manifest, PackageIo io, string directory)
    {
        bool hasGuidance = io.Transformer.Has(IoContract.Guidance);
        switch (manifest.Variant?.ToUpperInvariant())
        {
            case null:
                return (hasGuidance ? FluxVariant.Dev : FluxVariant.Schnell, "guidance input");
            case "DEV" when !hasGuidance:
                throw new FluxModelException(
                    $"flux.json says variant dev but {io.Transformer.ModelFile} has no 'guidance' input", io.Transformer.ModelFile, IoContract.Guidance);
            case "DEV":
                return (FluxVariant.Dev, FluxManifest.FileName);
            case "SCHNELL":
                return (FluxVariant.Schnell, FluxManifest.FileName);
            default:
                throw new FluxModelException(
                    $"{System.IO.Path.Combine(directory, FluxManifest.FileName)}: variant '{manifest.Variant}' is not one of schnell, dev", directory);
        }
    }

    private static ScheduleShift ParseShift(FluxManifest manifest, FluxVariant variant, string directory)
    {
        if (manifest.Shift is null)
        {
            return variant == FluxVariant.Dev ? ScheduleShift.Dynamic : ScheduleShift.None;
        }

        return ScheduleShift.TryParse(manifest.Shift, out var shift) ? shift : throw new FluxModelException(
            $"{System.IO.Path.Combine(directory, FluxManifest.FileName)}: shift '{manifest.Shift}' is not one of none, dynamic or a number s > 0 (static shift)",
            directory);
    }
}
