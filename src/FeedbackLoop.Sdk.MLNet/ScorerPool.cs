namespace FeedbackLoop.MLNet;

/// <summary>
/// A small lock-free pool of <see cref="Scorer"/>s (the pattern of Microsoft.Extensions.ObjectPool's default pool, which
/// Microsoft.Extensions.ML's PredictionEnginePool uses): one fast slot, then an array scanned with compare-and-swap;
/// a miss creates a scorer, a full pool drops the returned one.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ScorerPool(Func<Scorer> create)
{
    private readonly Scorer?[] _items = new Scorer?[Math.Max(2, Environment.ProcessorCount * 2)];
    private Scorer? _first;

    public Scorer Rent()
    {
        var item = _first;
        if (item is not null && Interlocked.CompareExchange(ref _first, null, item) == item)
        {
            return item;
        }

        for (var i = 0; i < _items.Length; i++)
        {
            item = _items[i];
            if (item is not null && Interlocked.CompareExchange(ref _items[i], null, item) == item)
            {
                return item;
            }
        }

        return create();
    }

    public void Return(Scorer scorer)
    {
        if (_first is null && Interlocked.CompareExchange(ref _first, scorer, null) is null)
        {
            return;
        }

        for (var i = 0; i < _items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _items[i], scorer, null) is null)
            {
                return;
            }
        }
    }
}
