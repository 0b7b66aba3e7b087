using FeedbackLoop.Models;

namespace FeedbackLoop.Learning;

/// <summary>
/// What the built-in learners share: each trains a linear model of one task on the labelled window and restores the
/// models it trains from their artifacts (see <see cref="LogisticRegressionLearner"/>, <see cref="SoftmaxRegressionLearner"/>
/// and <see cref="RidgeRegressionLearner"/>).
/// </summary>
/// <remarks>Immutable and thread-safe: one learner may train and load concurrently.</remarks>
public abstract class LinearLearner : IModelTrainer, IModelArtifactLoader
{
    private protected LinearLearner()
    {
    }

    /// <summary>Trains a model on the labelled window.</summary>
    /// <param name="data">The examples, of the learner's task.</param>
    /// <param name="cancellationToken">Cancels training; it is checked before, during and after it.</param>
    /// <returns>A completed task holding the model, its artifact and a description of the fit (for an iterative fit, whether it converged).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The set is of another task, too small or without the classes or weight the learner needs, or an example does not fit the schema; the message says which (see the learner).</exception>
    /// <exception cref="InvalidOperationException">The fit ended on a non-finite point.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Training runs synchronously on the calling thread; the returned task is already complete.</remarks>
    public Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        cancellationToken.ThrowIfCancellationRequested();
        var model = Fit(data, cancellationToken, out var description);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new TrainedModel(model, model.ToArtifact(), description));
    }

    /// <summary>Restores a model from the artifact its <c>ToArtifact</c> wrote.</summary>
    /// <param name="artifact">The artifact bytes.</param>
    /// <param name="schema">The schema the model must have been trained on (feature names, kinds and order).</param>
    /// <returns>The model, scoring bit for bit as the one that wrote the artifact.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="schema"/> is null.</exception>
    /// <exception cref="FormatException">The artifact is corrupt or truncated, of another model kind or format version, or was trained on another schema; the message says which.</exception>
    public IPredictor Load(ReadOnlySpan<byte> artifact, FeatureSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Read(artifact, schema);
    }

    /// <summary>Restores a model from a stream holding the artifact its <c>ToArtifact</c> wrote (read to its end).</summary>
    /// <param name="artifact">The stream, positioned at the artifact's start.</param>
    /// <param name="schema">The schema the model must have been trained on.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FormatException">As for <see cref="Load(ReadOnlySpan{byte}, FeatureSchema)"/>.</exception>
    public IPredictor Load(Stream artifact, FeatureSchema schema)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(schema);
        using var buffer = new MemoryStream();
        artifact.CopyTo(buffer);
        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), schema);
    }

    /// <summary>Fits a model to a non-null training set; <paramref name="description"/> says how the fit went.</summary>
    private protected abstract ILinearModel Fit(TrainingSet data, CancellationToken cancellationToken, out string description);

    /// <summary>Reads a model of this learner's kind from its artifact.</summary>
    private protected abstract IPredictor Read(ReadOnlySpan<byte> artifact, FeatureSchema schema);
}

/// <summary>A model of a <see cref="LinearLearner"/>: it scores, and writes the artifact its learner reads.</summary>
internal interface ILinearModel : IPredictor
{
    /// <summary>Serialises the model to its artifact.</summary>
    byte[] ToArtifact();
}
