namespace FeedbackLoop.Numerics;

/// <summary>Neumaier's compensated summation (Neumaier 1974), for sums whose rounding error a later cancellation would magnify.</summary>
internal struct CompensatedSum
{
    private double _sum;
    private double _compensation;

    public readonly double Value => _sum + _compensation;

    public void Add(double value)
    {
        double next = _sum + value;
        _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - next) + value : (value - next) + _sum;
        _sum = next;
    }
}
