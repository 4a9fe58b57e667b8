using Flux.Functions.Tests.Hosting;

namespace Flux.Reliability.Tests;

/// <summary>
/// The fault and load tests: their own Azurite (they use the real queue names and load it), run one
/// at a time, beside the other collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Reliability";
}
