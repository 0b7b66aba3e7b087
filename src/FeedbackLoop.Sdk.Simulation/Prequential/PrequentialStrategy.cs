using System.Diagnostics;
using FeedbackLoop.Models;

namespace FeedbackLoop.Simulation.Prequential;

/// <summary>
/// A way to keep a model up to date while a drifting stream is replayed: never (<see cref="Static"/>), on a schedule
/// (<see cref="Periodic"/>), at the true changes (<see cref="Oracle"/>), or by a feedback loop (<see cref="Loop"/>).
/// Every strategy starts from a model trained on the same history and sees the same samples and labels. The strategies
/// that train models themselves train the stream's task (<see cref="IDriftingStream.Task"/>) with the trainer given,
/// or by default with the task's built-in learner, the one a loop trains when no trainer is named:
/// <c>Learners.LogisticRegression()</c> (binary), <c>Learners.SoftmaxRegression()</c> (multiclass) or
/// <c>Learners.RidgeRegression()</c> (regression).
/// </summary>
public abstract class PrequentialStrategy
{
    private protected PrequentialStrategy(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Gets the name the results and charts use.</summary>
    public string Name { get; }

    /// <summary>Keeps the first model: the reference a loop must beat.</summary>
    /// <param name="trainer">Trains the first model on the history; <see langword="null"/> (the default) for the task's built-in learner.</param>
    /// <param name="name">The name the results use; <see langword="null"/> (the default) for <c>static</c>.</param>
    /// <returns>The strategy.</returns>
    public static PrequentialStrategy Static(IModelTrainer? trainer = null, string? name = null) => new Trained(name ?? "static", trainer, _ => null);

    /// <summary>Retrains on the newest <paramref name="window"/> labels each time <paramref name="everyLabels"/> new labels have arrived, and serves the new model at once (no gate).</summary>
    /// <param name="trainer">The trainer; <see langword="null"/> for the task's built-in learner.</param>
    /// <param name="everyLabels">New labels between two trainings; at least 1.</param>
    /// <param name="window">The most labels a training reads (the newest, history included until it is displaced); at least 2.</param>
    /// <param name="name">The name the results use; <see langword="null"/> (the default) for <c>periodic-{everyLabels}</c>.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is below its minimum.</exception>
    public static PrequentialStrategy Periodic(IModelTrainer? trainer = null, int everyLabels = 5_000, int window = 5_000, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyLabels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        return new Trained(name ?? $"periodic-{everyLabels}", trainer, labels =>
            labels.SinceTraining >= everyLabels ? labels.Newest(window) : null);
    }

    /// <summary>
    /// Knows when the concept truly changes and retrains on the labels of samples since the change only: first when
    /// <paramref name="firstAfter"/> of them have arrived, then each time their number doubles, and once
    /// <paramref name="window"/> is reached every <paramref name="window"/> more — the upper bound a loop is measured against.
    /// </summary>
    /// <param name="trainer">The trainer; <see langword="null"/> for the task's built-in learner.</param>
    /// <param name="firstAfter">Post-change labels before the first retraining; at least 2.</param>
    /// <param name="window">The most labels a training reads; at least <paramref name="firstAfter"/>.</param>
    /// <param name="name">The name the results use; <see langword="null"/> (the default) for <c>oracle</c>.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is below its minimum.</exception>
    public static PrequentialStrategy Oracle(IModelTrainer? trainer = null, int firstAfter = 200, int window = 5_000, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstAfter, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, firstAfter);
        return new Trained(name ?? "oracle", trainer, labels =>
        {
            var since = labels.SinceChange;
            var due = since >= firstAfter && (since >= window ? since % window == 0 : since % firstAfter == 0 && IsPowerOfTwo(since / firstAfter));
            return due ? labels.NewestSinceChange(window) : null;
        });
    }

    /// <summary>
    /// Replays through a real feedback loop: it is seeded with the history (<see cref="IFeedbackLoop.SeedAsync"/>),
    /// predicts every sample, receives each label as <see cref="FeedbackKind.GroundTruth"/> when it arrives, and runs a
    /// cycle every <see cref="PrequentialOptions.CycleEvery"/> predictions.
    /// </summary>
    /// <param name="name">The name the results use, for example <c>loop (defaults)</c>.</param>
    /// <param name="build">Builds the loop on the replay's clock (one second per prediction); it must use that clock (<c>UseTimeProvider</c>).</param>
    /// <returns>The strategy.</returns>
    public static PrequentialStrategy Loop(string name, Func<SimulatedClock, IFeedbackLoop> build) => new LoopStrategy(name, build ?? throw new ArgumentNullException(nameof(build)));

    internal abstract Task<PrequentialRun> RunAsync(PrequentialReplay replay, CancellationToken cancellationToken);

    private static bool IsPowerOfTwo(int value) => value > 0 && (value & (value - 1)) == 0;

    /// <summary>The labels a trained strategy has received, in arrival order, and its bookkeeping since the last training and the last true change.</summary>
    private sealed class Labels(IReadOnlyList<LabelledSample> history)
    {
        private readonly List<LabelledSample> _all = [.. history];
        private int _changeStart = -1;

        public int SinceTraining { get; set; }

        public int SinceChange => _changeStart < 0 ? 0 : _all.Count - _changeStart;

        public void Add(LabelledSample sample) => _all.Add(sample);

        /// <summary>Starts counting post-change labels from the next one.</summary>
        public void ChangeStarted() => _changeStart = _all.Count;

        public IReadOnlyList<LabelledSample> Newest(int count) => _all[Math.Max(0, _all.Count - count)..];

        public IReadOnlyList<LabelledSample> NewestSinceChange(int count) => _all[Math.Max(_changeStart, _all.Count - count)..];
    }

    /// <summary>A strategy that trains models itself, on the schedule <paramref name="due"/> gives.</summary>
    private sealed class Trained(string name, IModelTrainer? trainer, Func<Labels, IReadOnlyList<LabelledSample>?> due) : PrequentialStrategy(name)
    {
        internal override async Task<PrequentialRun> RunAsync(PrequentialReplay replay, CancellationToken cancellationToken)
        {
            var learner = trainer ?? PrequentialReplay.BuiltInLearner(replay.Task);
            var samples = replay.Samples;
            var scores = new double[samples.Count];
            var changes = new List<long>();
            var labels = new Labels(replay.History);
            var model = await TrainAsync(replay.History).ConfigureAwait(false) ?? throw new InvalidOperationException($"Strategy {Name}: the first model failed to train.");
            var (trainings, used, time, nextChange) = (0, 0L, TimeSpan.Zero, 0);
            var effects = new PromotionEffects(replay);
            for (var i = 0; i < samples.Count; i++)
            {
                scores[i] = replay.Score(model.Predict(samples[i].Features), samples[i]);
                effects.Predicted(i, scores[i]);
                var arrived = replay.LabelArrivingAfter(i);
                if (arrived < 0)
                {
                    continue;
                }

                if (nextChange < replay.DriftPoints.Count && arrived >= replay.DriftPoints[nextChange])
                {
                    // The first label of a sample of the new concept: post-change labels are counted from it.
                    nextChange++;
                    labels.ChangeStarted();
                }

                labels.Add(samples[arrived]);
                labels.SinceTraining++;
                if (due(labels) is not { } rows)
                {
                    continue;
                }

                labels.SinceTraining = 0;
                trainings++;
                used += rows.Count;
                var started = Stopwatch.GetTimestamp();
                var trained = await TrainAsync(rows).ConfigureAwait(false);
                time += Stopwatch.GetElapsedTime(started);
                if (trained is not null)
                {
                    effects.Changed(i + 1, model);
                    model = trained;
                    changes.Add(i + 1);
                }
            }

            return new PrequentialRun(Name, scores, changes, [], trainings, used, time, []) { Promotions = effects.Effects };

            async Task<IPredictor?> TrainAsync(IReadOnlyList<LabelledSample> rows)
            {
                try
                {
                    return (await learner.TrainAsync(replay.ToTrainingSet(rows, "prequential"), cancellationToken).ConfigureAwait(false)).Predictor;
                }
                catch (ArgumentException)
                {
                    // A window the learner refuses (one class only): the strategy keeps its model, as a loop would.
                    return null;
                }
            }
        }
    }
}
