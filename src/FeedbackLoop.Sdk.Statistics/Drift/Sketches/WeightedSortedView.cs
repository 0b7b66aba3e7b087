namespace FeedbackLoop.Drift;

/// <summary>A sketch's retained values in order with their cumulative weights: its estimated distribution function.</summary>
internal sealed class WeightedSortedView
{
    private readonly double[] _values;
    private readonly long[] _cumulative;
    private readonly long _total;

    public WeightedSortedView(double[] values, long[] cumulativeWeights, long total)
    {
        _values = values;
        _cumulative = cumulativeWeights;
        _total = total;
    }

    public ReadOnlySpan<double> Values => _values;

    /// <summary>The estimated share of values less than or equal to <paramref name="x"/>.</summary>
    public double Cdf(double x)
    {
        int index = Array.BinarySearch(_values, x);
        if (index < 0)
        {
            index = ~index - 1;
        }
        else
        {
            while (index + 1 < _values.Length && _values[index + 1] == x)
            {
                index++;
            }
        }

        return index < 0 ? 0 : (double)_cumulative[index] / _total;
    }

    /// <summary>The estimated share of values strictly less than <paramref name="x"/>.</summary>
    public double CdfBelow(double x)
    {
        int index = Array.BinarySearch(_values, x);
        if (index < 0)
        {
            index = ~index;
        }
        else
        {
            while (index > 0 && _values[index - 1] == x)
            {
                index--;
            }
        }

        return index == 0 ? 0 : (double)_cumulative[index - 1] / _total;
    }

    /// <summary>The smallest value whose cumulative share is at least <paramref name="fraction"/>.</summary>
    public double Quantile(double fraction, double minimum, double maximum)
    {
        if (fraction <= 0)
        {
            return minimum;
        }

        if (fraction >= 1)
        {
            return maximum;
        }

        long target = (long)Math.Ceiling(fraction * _total);
        int index = Array.BinarySearch(_cumulative, target);
        return _values[index < 0 ? ~index : index];
    }
}
