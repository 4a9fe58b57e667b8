namespace Flux.ModelBuilder.Import;

/// <summary>
/// One component of an import, planned (configs read, checkpoint headers validated, graph built) before anything
/// is written; <see cref="Write"/> then streams its <see cref="Bytes"/> into the package folder.
/// </summary>
internal sealed record ComponentStep(string Component, long Bytes, Action<string, Action<long>> Write);
