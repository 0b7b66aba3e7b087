using System.Globalization;

namespace FeedbackLoop.Drift;

/// <summary>Checks shared by the multivariate detectors: rows present, of one width, with finite values.</summary>
internal static class RowChecks
{
    /// <summary>Checks every row and returns their common width.</summary>
    public static int Width(IReadOnlyList<double[]> rows, string paramName, int expectedWidth = -1)
    {
        ArgumentNullException.ThrowIfNull(rows, paramName);
        int width = expectedWidth;
        for (int r = 0; r < rows.Count; r++)
        {
            double[] row = rows[r] ?? throw new ArgumentNullException(paramName, string.Create(CultureInfo.InvariantCulture, $"Row {r} is null."));
            if (width < 0)
            {
                width = row.Length;
            }

            if (row.Length != width || width == 0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Row {r} has {row.Length} values; every row must have {width} (one per feature, at least one)."),
                    paramName);
            }

            for (int c = 0; c < row.Length; c++)
            {
                if (!double.IsFinite(row[c]))
                {
                    throw new ArgumentOutOfRangeException(
                        paramName,
                        row[c],
                        string.Create(CultureInfo.InvariantCulture, $"Row {r}, column {c} is {row[c]}: values must be finite."));
                }
            }
        }

        return width;
    }
}
