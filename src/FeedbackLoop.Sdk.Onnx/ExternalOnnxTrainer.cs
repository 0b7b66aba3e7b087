using FeedbackLoop.Models;

namespace FeedbackLoop.Onnx;

/// <summary>The trainer of a loop whose ONNX model is retrained outside the process: it refuses, saying what to do instead.</summary>
internal sealed class ExternalOnnxTrainer(string loopName) : IModelTrainer
{
    public Task<TrainedModel> TrainAsync(TrainingSet data, CancellationToken cancellationToken) =>
        Task.FromException<TrainedModel>(new InvalidOperationException(
            $"Loop '{loopName}' serves an ONNX model that is retrained outside the process: export the labelled window (ExportLabelledWindowAsync; {data?.Count ?? 0} rows are ready), train the new model there, and hand it to the gate with OnnxModel.FromFile(...) and ChallengeAsync (or promote it with PromoteAsync)."));
}
