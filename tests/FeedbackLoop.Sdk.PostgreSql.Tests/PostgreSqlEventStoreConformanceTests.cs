using FeedbackLoop.PostgreSql;
using FeedbackLoop.Storage;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>The PostgreSQL event store against the durable event store conformance suite, each test in a schema of its own.</summary>
public sealed class PostgreSqlEventStoreConformanceTests : DurableEventStoreConformanceTests, IDisposable
{
    private readonly TemporarySchema _schema = new();

    public void Dispose() => _schema.Dispose();

    protected override ValueTask<EventStoreUnderTest> CreateStoreAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken) =>
        ReopenAsync(options, cancellationToken);

    protected override ValueTask<EventStoreUnderTest> ReopenAsync(EventStoreConformanceOptions options, CancellationToken cancellationToken)
    {
        var store = new PostgreSqlEventStore(
            _schema.DataSource,
            "conformance",
            options.Schema,
            new FeedbackStoreOptions { MaxFeedbackPerPrediction = options.MaxFeedbackPerPrediction, OrphanTimeToLive = options.OrphanTimeToLive },
            databaseSchema: _schema.Name);
        return ValueTask.FromResult(new EventStoreUnderTest(store, store));
    }
}
