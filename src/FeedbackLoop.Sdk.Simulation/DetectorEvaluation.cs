using FeedbackLoop.Drift;

namespace FeedbackLoop.Simulation;

/// <summary>
/// Measures drift detectors on the error stream of a model that stops being right: mean time between false alarms
/// on stationary streams, and detection delay and missed detections on streams with a known abrupt or gradual drift.
/// </summary>
/// <remarks>
/// <para>
/// Every scenario is a <see cref="SeaStream"/> with 10% label noise, read by the model of its first concept
/// (positive when <c>x1 + x2 &lt;= 8</c>); the detectors see the model's error indicators (1 for a wrong prediction,
/// 0 for a right one), the input the loop gives its error detectors. The stationary scenario keeps concept 0 (error
/// rate 10%); the abrupt scenario switches to concept 3 (θ = 9.5, error rate 0.1 + 0.8 P(8 &lt; x1 + x2 &lt;= 9.5) = 20.5%) at
/// <see cref="DetectorEvaluationOptions.DriftPosition"/>; the gradual scenario moves to concept 3 through a
/// <see cref="ConceptDriftStream"/> centred there with width <see cref="DetectorEvaluationOptions.GradualWidth"/>.
/// </para>
/// <para>
/// A change starts at the drift position for the abrupt scenario and half a width before it for the gradual one
/// (where one sample in eight already comes from the new concept). The first alarm from the start up to the
/// detection horizon is the detection; alarms before the start are false alarms; no alarm in the horizon is a miss.
/// On stationary streams every alarm is false. The streams of a seed are generated once and given to every
/// detector, so detectors are compared on the same data. Deterministic for the same options and detectors.
/// </para>
/// </remarks>
public static class DetectorEvaluation
{
    private const double StaleModelThreshold = 8.0;
    private const int OldConcept = 0;
    private const int NewConcept = 3;

    /// <summary>Runs every detector on every scenario.</summary>
    /// <param name="detectors">Named factories; each stream gets a fresh detector.</param>
    /// <param name="options">The scenario sizes; <see langword="null"/> for the defaults.</param>
    /// <returns>One result per detector, in the order given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="detectors"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static IReadOnlyList<DetectorEvaluationResult> Run(
        IReadOnlyList<KeyValuePair<string, Func<IDriftDetector>>> detectors,
        DetectorEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(detectors);
        options ??= new DetectorEvaluationOptions();
        Validate(options);

        int count = detectors.Count;
        var stationaryAlarms = new long[count];
        var abrupt = new Tally[count];
        var gradual = new Tally[count];
        int gradualStart = options.DriftPosition - (options.GradualWidth / 2);
        for (int run = 0; run < options.Runs; run++)
        {
            int seed = options.Seed + run;
            double[] stationary = Errors(new SeaStream(seed, [OldConcept], []), options.StreamLength);
            double[] abruptErrors = Errors(new SeaStream(seed, [OldConcept, NewConcept], [options.DriftPosition]), options.StreamLength);
            double[] gradualErrors = Errors(
                new ConceptDriftStream(
                    new SeaStream(seed, [OldConcept], []),
                    new SeaStream(unchecked(seed * 31 + 7), [NewConcept], []),
                    options.DriftPosition,
                    options.GradualWidth,
                    seed),
                options.StreamLength);

            for (int d = 0; d < count; d++)
            {
                Func<IDriftDetector> create = detectors[d].Value;
                stationaryAlarms[d] += CountAlarms(create(), stationary);
                abrupt[d].Add(FirstAlarms(create(), abruptErrors, options.DriftPosition, options.DetectionHorizon));
                gradual[d].Add(FirstAlarms(create(), gradualErrors, gradualStart, options.DetectionHorizon));
            }
        }

        var results = new DetectorEvaluationResult[count];
        for (int d = 0; d < count; d++)
        {
            results[d] = new DetectorEvaluationResult(
                detectors[d].Key,
                (long)options.Runs * options.StreamLength,
                stationaryAlarms[d],
                abrupt[d].ToOutcome(),
                gradual[d].ToOutcome());
        }

        return results;
    }

    private static double[] Errors(IDriftingStream stream, int length)
    {
        var errors = new double[length];
        for (int i = 0; i < length; i++)
        {
            LabelledSample sample = stream.Next();
            ReadOnlySpan<double> x = sample.Features.Numeric;
            bool predicted = x[0] + x[1] <= StaleModelThreshold;
            errors[i] = predicted == sample.Label.AsBoolean() ? 0.0 : 1.0;
        }

        return errors;
    }

    private static long CountAlarms(IDriftDetector detector, double[] values)
    {
        long alarms = 0;
        foreach (double value in values)
        {
            alarms += detector.Update(value) == DriftState.Drift ? 1 : 0;
        }

        return alarms;
    }

    private static (long FalseAlarms, int Delay) FirstAlarms(IDriftDetector detector, double[] values, int start, int horizon)
    {
        long falseAlarms = 0;
        int end = Math.Min(values.Length, start + horizon);
        for (int i = 0; i < end; i++)
        {
            if (detector.Update(values[i]) != DriftState.Drift)
            {
                continue;
            }

            if (i >= start)
            {
                return (falseAlarms, i - start);
            }

            falseAlarms++;
        }

        return (falseAlarms, -1);
    }

    private static void Validate(DetectorEvaluationOptions options)
    {
        if (options.Runs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Runs, "Runs must be at least 1.");
        }

        if (options.DriftPosition < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DriftPosition, "DriftPosition must be at least 1.");
        }

        if (options.GradualWidth < 1 || options.GradualWidth > 2L * options.DriftPosition)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.GradualWidth, "GradualWidth must be at least 1 and at most twice DriftPosition.");
        }

        if (options.DetectionHorizon < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DetectionHorizon, "DetectionHorizon must be at least 1.");
        }

        if ((long)options.StreamLength < (long)options.DriftPosition + options.DetectionHorizon)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.StreamLength,
                $"StreamLength must be at least DriftPosition + DetectionHorizon ({(long)options.DriftPosition + options.DetectionHorizon}).");
        }
    }

    private struct Tally
    {
        private int _detected;
        private int _missed;
        private long _delays;
        private long _falseAlarms;

        public void Add((long FalseAlarms, int Delay) first)
        {
            _falseAlarms += first.FalseAlarms;
            if (first.Delay < 0)
            {
                _missed++;
            }
            else
            {
                _detected++;
                _delays += first.Delay;
            }
        }

        public readonly DriftScenarioOutcome ToOutcome() =>
            new(_detected, _missed, _detected == 0 ? double.NaN : (double)_delays / _detected, _falseAlarms);
    }
}
