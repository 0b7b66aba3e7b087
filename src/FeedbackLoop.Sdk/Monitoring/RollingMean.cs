namespace FeedbackLoop.Monitoring;

/// <summary>The mean of the last <c>capacity</c> values, kept with a ring and a running sum (exact for 0/1 values).</summary>
/// <remarks>Not thread-safe. Allocation-free after construction.</remarks>
internal sealed class RollingMean(int capacity)
{
    private readonly double[] _values = new double[capacity];
    private long _added;
    private double _sum;

    public bool IsFull => _added >= _values.Length;

    public int Count => (int)Math.Min(_added, _values.Length);

    public double Mean => Count == 0 ? double.NaN : _sum / Count;

    public void Add(double value)
    {
        ref var slot = ref _values[(int)(_added % _values.Length)];
        _sum += value - (IsFull ? slot : 0.0);
        slot = value;
        _added++;
    }

    public void Clear()
    {
        _added = 0;
        _sum = 0.0;
    }
}
