using System.Globalization;
using Flux.Inference.Sessions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flux.Inference.Packages;

/// <summary>A contract tensor resolved against a session: the name to bind and its element type and dims (-1 = dynamic).</summary>
public sealed record TensorBinding(string Role, string Name, TensorElementType ElementType, IReadOnlyList<int> Dimensions, bool IsInput);

/// <summary>The validated inputs and outputs of one session, by contract role.</summary>
public sealed class ComponentIo
{
    internal ComponentIo(ModelComponent component, string modelFile, IReadOnlyDictionary<string, TensorBinding> tensors)
    {
        Component = component;
        ModelFile = modelFile;
        Tensors = tensors;
    }

    public ModelComponent Component { get; }

    public string ModelFile { get; }

    public IReadOnlyDictionary<string, TensorBinding> Tensors { get; }

    public bool Has(string role) => Tensors.ContainsKey(role);

    public TensorBinding this[string role] => Tensors[role];
}

/// <summary>
/// Values of the contract's symbolic dimensions (T, Dt, Dp, ...) as the sessions declare them, so that a
/// disagreement between two sessions is reported with both places.
/// </summary>
public sealed class DimensionTable
{
    private readonly Dictionary<string, (int Value, string Where)> _values = new(StringComparer.Ordinal);

    public int? this[string symbol] => _values.TryGetValue(symbol, out var v) ? v.Value : null;

    /// <summary>Records a concrete value, or throws when another session declared a different one.</summary>
    public void Unify(string symbol, int value, string where)
    {
        if (value < 0)
        {
            return;
        }

        if (_values.TryGetValue(symbol, out var known) && known.Value != value)
        {
            throw new FluxModelException(
                $"{where} has {symbol} = {value} but {known.Where} has {symbol} = {known.Value}; the sessions do not belong together",
                null,
                symbol);
        }

        _values.TryAdd(symbol, (value, where));
    }
}

/// <summary>Checks a session's inputs and outputs against the contract, by name, with aliases and flux.json overrides.</summary>
public static class IoValidator
{
    public static ComponentIo Validate(ModelSession session, ComponentContract contract, IReadOnlyDictionary<string, string> nameOverrides, DimensionTable dimensions)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(nameOverrides);
        ArgumentNullException.ThrowIfNull(dimensions);
        var tensors = new Dictionary<string, TensorBinding>(StringComparer.Ordinal);
        Resolve(session.ModelFile, contract, contract.Inputs, session.Inputs, isInput: true, nameOverrides, dimensions, tensors);
        Resolve(session.ModelFile, contract, contract.Outputs, session.Outputs, isInput: false, nameOverrides, dimensions, tensors);

        var bound = tensors.Values.Where(t => t.IsInput).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in session.Inputs.Keys.Where(n => !bound.Contains(n)))
        {
            throw new FluxModelException(
                $"model file {session.ModelFile}: input '{name}' is not part of the FLUX {contract.Component} contract " +
                $"(expected inputs: {string.Join(", ", contract.Inputs.Select(s => s.Aliases[0]))})",
                session.ModelFile,
                name);
        }

        return new ComponentIo(contract.Component, session.ModelFile, tensors);
    }

    private static void Resolve(
        string file,
        ComponentContract contract,
        IReadOnlyList<TensorSpec> specs,
        IReadOnlyDictionary<string, NodeMetadata> actual,
        bool isInput,
        IReadOnlyDictionary<string, string> nameOverrides,
        DimensionTable dimensions,
        Dictionary<string, TensorBinding> resolved)
    {
        string direction = isInput ? "input" : "output";
        foreach (var spec in specs)
        {
            string? name = FindName(file, contract.Component, spec, actual, direction, nameOverrides);
            if (name is null)
            {
                if (spec.IsOptional)
                {
                    continue;
                }

                throw new FluxModelException(
                    $"model file {file}: no {direction} named '{spec.Aliases[0]}'" +
                    (spec.Aliases.Count > 1 ? $" (or {string.Join(", ", spec.Aliases.Skip(1).Select(a => $"'{a}'"))})" : string.Empty) +
                    $"; expected {IoContract.Describe(spec.Kind)} of shape {spec.ShapeText}; the {direction}s are: {string.Join(", ", actual.Keys)}",
                    file,
                    spec.Aliases[0]);
            }

            var metadata = actual[name];
            string where = $"model file {file}: {direction} '{name}'";
            if (!metadata.IsTensor || !IoContract.Accepts(spec.Kind, metadata.ElementDataType))
            {
                throw new FluxModelException(
                    $"{where} is {(metadata.IsTensor ? metadata.ElementDataType.ToString() : metadata.OnnxValueType.ToString())} but the contract expects {IoContract.Describe(spec.Kind)} of shape {spec.ShapeText}",
                    file,
                    name);
            }

            CheckShape(where, spec, metadata, dimensions, file, name);
            resolved.Add(spec.Role, new TensorBinding(spec.Role, name, metadata.ElementDataType, metadata.Dimensions, isInput));
        }
    }

    private static string? FindName(string file, ModelComponent component, TensorSpec spec, IReadOnlyDictionary<string, NodeMetadata> actual, string direction, IReadOnlyDictionary<string, string> nameOverrides)
    {
        if (nameOverrides.TryGetValue(IoContract.OverrideKey(component, spec.Role), out string? overridden))
        {
            return actual.ContainsKey(overridden) ? overridden : throw new FluxModelException(
                $"model file {file}: flux.json names {direction} '{overridden}' for {IoContract.OverrideKey(component, spec.Role)}, but the {direction}s are: {string.Join(", ", actual.Keys)}",
                file,
                overridden);
        }

        return spec.Aliases.FirstOrDefault(actual.ContainsKey);
    }

    private static void CheckShape(string where, TensorSpec spec, NodeMetadata metadata, DimensionTable dimensions, string file, string name)
    {
        int[] dims = metadata.Dimensions;
        var shape = dims.Length == spec.Shape.Count ? spec.Shape
            : spec.BatchedShape is { } batched && dims.Length == batched.Count ? batched
            : throw new FluxModelException($"{where} has shape {IoContract.Describe(metadata)} but the contract expects {spec.ShapeText}", file, name);

        for (int i = 0; i < dims.Length; i++)
        {
            string expected = shape[i];
            if (int.TryParse(expected, NumberStyles.None, CultureInfo.InvariantCulture, out int fixedSize))
            {
                if (dims[i] >= 0 && dims[i] != fixedSize)
                {
                    throw new FluxModelException(
                        $"{where} has shape {IoContract.Describe(metadata)} but the contract expects {spec.ShapeText} (dimension {i} must be {fixedSize})",
                        file,
                        name);
                }
            }
            else
            {
                dimensions.Unify(expected, dims[i], where);
            }
        }
    }
}
