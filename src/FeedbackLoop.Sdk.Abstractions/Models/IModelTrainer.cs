namespace FeedbackLoop.Models;

/// <summary>Trains a candidate model on a labelled window.</summary>
/// <remarks>
/// May be slow and may throw; the loop runs it only inside <c>RunCycleAsync</c>, reports a failure in the cycle
/// report and keeps serving the current champion.
/// </remarks>
public interface IModelTrainer
{
    /// <summary>Trains a model.</summary>
    /// <param name="data">The labelled rows, by column: features, labels, weights and where each row came from.</param>
    /// <param name="cancellationToken">Cancels training.</param>
    /// <returns>The trained model.</returns>
    Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken);
}
