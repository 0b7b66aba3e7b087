using System.Globalization;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation;

/// <summary>
/// Replays a drifting stream through a feedback loop as production traffic: each sample is predicted by the loop's
/// live model, its true label arrives a fixed number of predictions later, and the host's cycle runs at a fixed
/// interval. A baseline model (for example the first model, never updated) scores the same samples for comparison.
/// </summary>
/// <remarks>Build the loop with <c>UseTimeProvider(replay.Clock)</c>: the clock advances by the interval at each sample. Not thread-safe.</remarks>
public sealed class ProductionReplay
{
    private readonly IDriftingStream _stream;
    private readonly int _labelDelay;
    private readonly int _cycleEvery;
    private readonly TimeSpan _interval;

    /// <summary>Initializes a replay.</summary>
    /// <param name="stream">The stream; the replay draws from its current position.</param>
    /// <param name="labelDelay">How many predictions later each label arrives; 0 for at once.</param>
    /// <param name="cycleEvery">Run a cycle after every this many predictions.</param>
    /// <param name="interval">Simulated time between predictions; one second when omitted.</param>
    /// <param name="clock">The clock the loop uses; a new <see cref="SimulatedClock"/> when omitted.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range or the interval is not positive.</exception>
    public ProductionReplay(IDriftingStream stream, int labelDelay, int cycleEvery, TimeSpan? interval = null, SimulatedClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(labelDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(cycleEvery, 1);
        _interval = interval ?? TimeSpan.FromSeconds(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_interval, TimeSpan.Zero, nameof(interval));
        _stream = stream;
        _labelDelay = labelDelay;
        _cycleEvery = cycleEvery;
        Clock = clock ?? new SimulatedClock();
    }

    /// <summary>Gets the simulated clock the loop must use.</summary>
    public SimulatedClock Clock { get; }

    /// <summary>Replays <paramref name="count"/> samples.</summary>
    /// <param name="loop">The loop, with a champion already promoted.</param>
    /// <param name="baseline">The model to compare with.</param>
    /// <param name="count">How many samples to replay.</param>
    /// <param name="tail">How many final samples the last phase covers.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>Accuracy per phase, drift detections and cycle reports.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="tail"/> is out of range.</exception>
    public async Task<ReplayResult> RunAsync(IFeedbackLoop loop, IPredictor baseline, int count, int tail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tail, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tail, count);

        var pending = new Queue<(PredictionId Id, bool Label, long Due)>();
        var indexByTime = new Dictionary<DateTimeOffset, long>();
        var loopCorrect = new bool[count];
        var baselineCorrect = new bool[count];
        var detections = new List<ReplayDetection>();
        var cycles = new List<(long, CycleReport)>();
        long first = -1;

        for (var i = 0; i < count; i++)
        {
            var sample = _stream.Next();
            first = first < 0 ? sample.Index : first;
            var prediction = loop.Predict(sample.Features);
            indexByTime[prediction.Timestamp] = sample.Index;
            loopCorrect[i] = prediction.Output.Label.AsBoolean() == sample.Label;
            baselineCorrect[i] = baseline.Predict(sample.Features).Label.AsBoolean() == sample.Label;
            pending.Enqueue((prediction.Id, sample.Label, i + (long)_labelDelay));

            while (pending.Count > 0 && pending.Peek().Due <= i)
            {
                var (id, label, _) = pending.Dequeue();
                loop.RecordFeedback(Feedback.GroundTruth(id, label));
            }

            Clock.Advance(_interval);
            if ((i + 1) % _cycleEvery == 0)
            {
                var report = await loop.RunCycleAsync(cancellationToken).ConfigureAwait(false);
                foreach (var signal in report.Observed.DriftSignals)
                {
                    if (!detections.Exists(d => d.Signal == signal))
                    {
                        detections.Add(new ReplayDetection(signal, indexByTime.GetValueOrDefault(signal.DetectedAt, -1), report.Cycle));
                    }
                }

                if (report.Outcome != CycleOutcome.NoAction)
                {
                    cycles.Add((sample.Index, report));
                }
            }
        }

        return new ReplayResult(Phases(first, count, tail, loopCorrect, baselineCorrect), detections, cycles);
    }

    private List<ReplayPhase> Phases(long first, int count, int tail, bool[] loopCorrect, bool[] baselineCorrect)
    {
        var bounds = new List<long> { first };
        bounds.AddRange(_stream.DriftPoints.Where(p => p > first && p < first + count));
        bounds.Add(first + count);
        var phases = new List<ReplayPhase>();
        for (var k = 0; k + 1 < bounds.Count; k++)
        {
            var name = k == 0 && bounds.Count > 2 ? "before drift" : k == 0 ? "whole replay" : bounds.Count > 3 ? $"after drift {k}" : "after drift";
            phases.Add(Phase(name, bounds[k], bounds[k + 1]));
        }

        phases.Add(Phase(string.Create(CultureInfo.InvariantCulture, $"last {tail:N0}"), first + count - tail, first + count));
        return phases;

        ReplayPhase Phase(string name, long from, long to) => new(
            name,
            from,
            to,
            Share(loopCorrect.AsSpan((int)(from - first), (int)(to - from))),
            Share(baselineCorrect.AsSpan((int)(from - first), (int)(to - from))));
    }

    private static double Share(ReadOnlySpan<bool> correct)
    {
        var hits = 0;
        foreach (var hit in correct)
        {
            hits += hit ? 1 : 0;
        }

        return (double)hits / correct.Length;
    }
}
