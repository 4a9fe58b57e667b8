using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Import.Text;

/// <summary>
/// A parameter source that can say which keys its checkpoint holds, so a graph can choose between names a
/// checkpoint may use for the same tensor (T5's tied embedding: <c>shared.weight</c> or
/// <c>encoder.embed_tokens.weight</c>). The importer's checkpoint source implements it; a source without it
/// gets the canonical name.
/// </summary>
internal interface IParameterCatalog : IParameterSource
{
    bool Contains(string name);
}
