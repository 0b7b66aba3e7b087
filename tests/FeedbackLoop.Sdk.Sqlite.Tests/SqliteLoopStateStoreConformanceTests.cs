using FeedbackLoop.Sqlite;
using FeedbackLoop.State;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>The SQLite loop-state store against the loop-state store conformance suite: a new file per test.</summary>
public class SqliteLoopStateStoreConformanceTests : LoopStateStoreConformanceTests
{
    protected override ValueTask<UnderTest<ILoopStateStore>> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var file = new TemporarySqliteFile();
        return ValueTask.FromResult(new UnderTest<ILoopStateStore>(new SqliteLoopStateStore(file.ConnectionString), file.DisposeAsync));
    }
}
