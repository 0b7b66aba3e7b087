using FeedbackLoop.Sqlite;
using FeedbackLoop.Storage;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>The SQLite event store against the event store conformance suite, each test on a file of its own.</summary>
public class SqliteEventStoreConformanceTests : EventStoreConformanceTests
{
    protected override ValueTask<EventStoreUnderTest> CreateStoreAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken)
    {
        var file = new TemporarySqliteFile();
        var store = new SqliteEventStore(
            file.ConnectionString,
            "conformance",
            options.Schema,
            new FeedbackStoreOptions { MaxFeedbackPerPrediction = options.MaxFeedbackPerPrediction, OrphanTimeToLive = options.OrphanTimeToLive });
        return ValueTask.FromResult(new EventStoreUnderTest(store, store, () =>
        {
            store.Dispose();
            file.Dispose();
            return ValueTask.CompletedTask;
        }));
    }
}
