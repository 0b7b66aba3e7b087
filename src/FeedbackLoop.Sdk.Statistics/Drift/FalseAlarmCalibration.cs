namespace FeedbackLoop.Drift;

/// <summary>
/// Calibrates one parameter of a detector (a threshold or a confidence) for a target mean run length between false
/// alarms, by simulating the detector on streams bootstrapped from a reference sample, where no drift exists.
/// </summary>
/// <remarks>
/// <para>
/// The in-control average run length (ARL₀) is the expected number of values a detector reads from a stationary
/// stream before its first alarm (Page 1954; Montgomery, "Introduction to Statistical Quality Control", section 9.1).
/// Each candidate parameter is scored by feeding <see cref="FalseAlarmCalibrationOptions.Runs"/> streams, each drawn
/// with replacement from the reference (an i.i.d. bootstrap), to a fresh detector until its first
/// <see cref="DriftState.Drift"/>; a stream is censored at ten times the target. The search bisects the parameter
/// range (on a log scale when asked), keeping the bracket where the run length crosses the target, and returns the
/// strictest-side end of the final bracket, so the estimate errs towards fewer false alarms. Every candidate uses the
/// same streams (common random numbers), which keeps the estimated run length monotone in the parameter for
/// monotone detectors.
/// </para>
/// <para>
/// The bootstrap treats the reference values as independent: for autocorrelated streams the calibrated parameter is
/// too lax, and a block bootstrap or a recorded stream should be used instead. Stateless and thread-safe; the
/// factory is called once per simulated stream.
/// </para>
/// </remarks>
public static class FalseAlarmCalibration
{
    private const double CensoringFactor = 10;

    /// <summary>Finds the parameter value whose simulated mean run length between false alarms is closest to the target from above.</summary>
    /// <param name="createDetector">Creates a fresh detector with the given parameter value.</param>
    /// <param name="reference">The in-control sample to bootstrap from; at least 2 finite values.</param>
    /// <param name="options">The target, the search range and the simulation size.</param>
    /// <returns>The calibrated parameter and its simulated run length.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="createDetector"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (each message names it), or a reference value is NaN or infinite.</exception>
    /// <exception cref="ArgumentException"><paramref name="reference"/> has fewer than 2 values.</exception>
    public static FalseAlarmCalibrationResult Calibrate(
        Func<double, IDriftDetector> createDetector,
        ReadOnlySpan<double> reference,
        FalseAlarmCalibrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(createDetector);
        ArgumentNullException.ThrowIfNull(options);
        Validate(reference, options);

        int length = (int)Math.Ceiling(options.TargetRunLength * CensoringFactor);
        double[] pool = reference.ToArray();
        var random = new Random(options.Seed);
        int[] seeds = Enumerable.Range(0, options.Runs).Select(_ => random.Next()).ToArray();

        double lax = options.LargerIsStricter ? options.Minimum : options.Maximum;
        double strict = options.LargerIsStricter ? options.Maximum : options.Minimum;
        Score strictScore = Simulate(createDetector, strict, pool, seeds, length);
        if (strictScore.RunLength < options.TargetRunLength)
        {
            return strictScore.ToResult(strict, reached: false);
        }

        Score laxScore = Simulate(createDetector, lax, pool, seeds, length);
        if (laxScore.RunLength >= options.TargetRunLength)
        {
            return laxScore.ToResult(lax, reached: false);
        }

        for (int i = 0; i < options.Iterations; i++)
        {
            double middle = options.LogScale ? Math.Sqrt(lax * strict) : 0.5 * (lax + strict);
            Score score = Simulate(createDetector, middle, pool, seeds, length);
            if (score.RunLength >= options.TargetRunLength)
            {
                strict = middle;
                strictScore = score;
            }
            else
            {
                lax = middle;
            }
        }

        return strictScore.ToResult(strict, reached: true);
    }

    private static Score Simulate(Func<double, IDriftDetector> createDetector, double parameter, double[] pool, int[] seeds, int length)
    {
        double sum = 0;
        double sumOfSquares = 0;
        int censored = 0;
        foreach (int seed in seeds)
        {
            IDriftDetector detector = createDetector(parameter)
                ?? throw new InvalidOperationException("The detector factory returned null.");
            var random = new Random(seed);
            int runLength = length;
            for (int t = 1; t <= length; t++)
            {
                if (detector.Update(pool[random.Next(pool.Length)]) == DriftState.Drift)
                {
                    runLength = t;
                    break;
                }
            }

            censored += runLength == length ? 1 : 0;
            sum += runLength;
            sumOfSquares += (double)runLength * runLength;
        }

        int n = seeds.Length;
        double mean = sum / n;
        double variance = Math.Max(0, (sumOfSquares - (n * mean * mean)) / (n - 1));
        return new Score(mean, Math.Sqrt(variance / n), n, censored);
    }

    private static void Validate(ReadOnlySpan<double> reference, FalseAlarmCalibrationOptions options)
    {
        if (reference.Length < 2)
        {
            throw new ArgumentException($"The reference sample has {reference.Length} values; at least 2 are needed to bootstrap from.", nameof(reference));
        }

        for (int i = 0; i < reference.Length; i++)
        {
            if (!double.IsFinite(reference[i]))
            {
                throw new ArgumentOutOfRangeException(nameof(reference), reference[i], $"The reference value at index {i} must be finite.");
            }
        }

        if (!(options.TargetRunLength >= 10 && options.TargetRunLength <= 1e8))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TargetRunLength, "TargetRunLength must be between 10 and 100,000,000.");
        }

        if (options.Runs < 10)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Runs, "Runs must be at least 10.");
        }

        if (options.Iterations is < 1 or > 60)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Iterations, "Iterations must be between 1 and 60.");
        }

        if (!double.IsFinite(options.Minimum) || !double.IsFinite(options.Maximum) || options.Minimum >= options.Maximum)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.Minimum,
                $"Minimum ({options.Minimum}) and Maximum ({options.Maximum}) must be finite with Minimum < Maximum.");
        }

        if (options.LogScale && options.Minimum <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Minimum, "Minimum must be greater than 0 on a log scale.");
        }
    }

    private readonly record struct Score(double RunLength, double StandardError, int Runs, int Censored)
    {
        public FalseAlarmCalibrationResult ToResult(double parameter, bool reached) =>
            new(parameter, RunLength, StandardError, Runs, Censored, reached);
    }
}
