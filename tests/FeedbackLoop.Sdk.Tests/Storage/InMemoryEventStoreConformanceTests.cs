using FeedbackLoop.Storage;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.Storage;

/// <summary>The in-memory store against the event store conformance suite.</summary>
public class InMemoryEventStoreConformanceTests : EventStoreConformanceTests
{
    protected override ValueTask<EventStoreUnderTest> CreateStoreAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken)
    {
        var store = new InMemoryEventStore(
            new FeedbackStoreOptions
            {
                PredictionCapacity = options.PredictionCapacity,
                OrphanCapacity = options.OrphanCapacity,
                MaxFeedbackPerPrediction = options.MaxFeedbackPerPrediction,
                OrphanTimeToLive = options.OrphanTimeToLive,
            },
            options.Schema);
        return ValueTask.FromResult(EventStoreUnderTest.For(store));
    }
}
