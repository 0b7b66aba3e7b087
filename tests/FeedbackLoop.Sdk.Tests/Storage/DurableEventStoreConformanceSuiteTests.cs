using FeedbackLoop.Storage;
using FeedbackLoop.Testing;
using Xunit.Sdk;

namespace FeedbackLoop.Tests.Storage;

/// <summary>The durable suite can fail: a store that forgets everything on a restart fails each of its restart tests.</summary>
public class DurableEventStoreConformanceSuiteTests
{
    public static TheoryData<string> RestartTests { get; } = new(
        typeof(DurableEventStoreConformanceTests).GetMethods()
            .Where(m => m.DeclaringType == typeof(DurableEventStoreConformanceTests) && m.Name.StartsWith("Restart_", StringComparison.Ordinal))
            .Select(m => m.Name));

    [Fact]
    public void RestartTests_AreFound() => RestartTests.Should().HaveCount(4);

    [Theory]
    [MemberData(nameof(RestartTests))]
    public async Task RestartTest_StoreThatForgetsOnRestart_Fails(string test)
    {
        var suite = new ForgetfulStoreConformance();

        var run = async () => await (Task)typeof(DurableEventStoreConformanceTests).GetMethod(test)!.Invoke(suite, null)!;

        await run.Should().ThrowAsync<XunitException>();
    }

    /// <summary>A "durable" store whose reopen starts empty: not public, so xunit does not run the suite against it.</summary>
    private sealed class ForgetfulStoreConformance : DurableEventStoreConformanceTests
    {
        protected override ValueTask<EventStoreUnderTest> CreateStoreAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken) =>
            ValueTask.FromResult(EventStoreUnderTest.For(new InMemoryEventStore(
                new FeedbackStoreOptions { MaxFeedbackPerPrediction = options.MaxFeedbackPerPrediction, OrphanTimeToLive = options.OrphanTimeToLive },
                options.Schema)));

        protected override ValueTask<EventStoreUnderTest> ReopenAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken) =>
            CreateStoreAsync(options, cancellationToken);
    }
}
