using FeedbackLoop.Sqlite;
using FeedbackLoop.Storage;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>The SQLite event store against the durable event store conformance suite, each test on a file of its own.</summary>
public sealed class SqliteEventStoreConformanceTests : DurableEventStoreConformanceTests, IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    protected override ValueTask<EventStoreUnderTest> CreateStoreAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken) =>
        ReopenAsync(options, cancellationToken);

    protected override ValueTask<EventStoreUnderTest> ReopenAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken)
    {
        var store = new SqliteEventStore(
            _file.ConnectionString,
            "conformance",
            options.Schema,
            new FeedbackStoreOptions { MaxFeedbackPerPrediction = options.MaxFeedbackPerPrediction, OrphanTimeToLive = options.OrphanTimeToLive });
        return ValueTask.FromResult(EventStoreUnderTest.For(store));
    }
}
