using FeedbackLoop.PostgreSql;
using FeedbackLoop.State;
using FeedbackLoop.Testing;

namespace FeedbackLoop.Tests.PostgreSql;

/// <summary>The PostgreSQL loop-state store against the loop-state store conformance suite: a new schema per test.</summary>
public class PostgreSqlLoopStateStoreConformanceTests : LoopStateStoreConformanceTests
{
    protected override ValueTask<UnderTest<ILoopStateStore>> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var schema = new TemporarySchema();
        return ValueTask.FromResult(new UnderTest<ILoopStateStore>(new PostgreSqlLoopStateStore(schema.DataSource, schema.Name), schema.DisposeAsync));
    }
}
