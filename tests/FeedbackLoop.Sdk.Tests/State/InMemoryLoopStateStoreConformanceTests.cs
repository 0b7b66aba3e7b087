using FeedbackLoop.State;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.State;

/// <summary>The in-memory loop-state store against the loop-state store conformance suite.</summary>
public class InMemoryLoopStateStoreConformanceTests : LoopStateStoreConformanceTests
{
    protected override ValueTask<UnderTest<ILoopStateStore>> CreateStoreAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(UnderTest.For<ILoopStateStore>(new InMemoryLoopStateStore()));
}
