using FeedbackLoop.Registry;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.Registry;

/// <summary>The in-memory registry against the model registry conformance suite, tamper test included.</summary>
public class InMemoryModelRegistryConformanceTests : ModelRegistryConformanceTests
{
    protected override ValueTask<UnderTest<IModelRegistry>> CreateRegistryAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(UnderTest.For<IModelRegistry>(new InMemoryModelRegistry()));

    protected override ValueTask<bool> TamperWithArtifactAsync(IModelRegistry registry, string modelName, int version, CancellationToken cancellationToken)
    {
        ((InMemoryModelRegistry)registry).TamperWithArtifactForTesting(modelName, version);
        return ValueTask.FromResult(true);
    }
}
