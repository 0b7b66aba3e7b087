using FeedbackLoop.Models;
using FeedbackLoop.Storage;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>An in-memory store that fault-injecting test doubles derive from, overriding only the call they break.</summary>
public class DelegatingEventStore(InMemoryEventStore inner) : IEventStore, ILabelledWindowSource
{
    public DelegatingEventStore(FeatureSchema schema)
        : this(new InMemoryEventStore(new FeedbackStoreOptions(), schema))
    {
    }

    public virtual ValueTask AppendAsync(EventBatch batch, CancellationToken cancellationToken) => inner.AppendAsync(batch, cancellationToken);

    public virtual ValueTask<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.ExpireAsync(now, cancellationToken);

    public virtual ValueTask<EventStoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => inner.GetStatisticsAsync(cancellationToken);

    public virtual IAsyncEnumerable<LabelledExample> ReadLabelledAsync(LabelledWindowQuery query, CancellationToken cancellationToken) =>
        inner.ReadLabelledAsync(query, cancellationToken);
}
