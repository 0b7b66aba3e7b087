using FeedbackLoop.MLNet;
using FeedbackLoop.Models;
using Microsoft.ML;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>The ML.NET trainer families the tests train for each task: FastTree, LightGbm and linear (SDCA and L-BFGS).</summary>
public static class Pipelines
{
    public static Func<MLNetPipelineContext, IEstimator<ITransformer>> Named(string family) => family switch
    {
        "FastTree" => FastTree,
        "LightGbm" => p => p.DefaultPipeline(),
        "Linear" => Linear,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    public static IEstimator<ITransformer> FastTree(MLNetPipelineContext p)
    {
        var trainers = p.Context;
        return p.Task.Kind switch
        {
            ModelTaskKind.Binary => p.Featurize().Append(trainers.BinaryClassification.Trainers.FastTree(p.LabelColumn, p.FeaturesColumn, p.WeightColumn)),
            ModelTaskKind.Multiclass => p.Featurize().Append(trainers.MulticlassClassification.Trainers.OneVersusAll(
                trainers.BinaryClassification.Trainers.FastTree(p.LabelColumn, p.FeaturesColumn, p.WeightColumn), p.LabelColumn)),
            _ => p.Featurize().Append(trainers.Regression.Trainers.FastTree(p.LabelColumn, p.FeaturesColumn, p.WeightColumn)),
        };
    }

    /// <summary>
    /// L-BFGS logistic regression (binary), SDCA maximum entropy (multiclass) and SDCA (regression), on normalised
    /// features. SDCA regression is given an L2 penalty: the one ML.NET picks by itself on a few hundred rows can be so
    /// small that it diverges (scores in the thousands for a target in [0, 4]).
    /// </summary>
    public static IEstimator<ITransformer> Linear(MLNetPipelineContext p)
    {
        var trainers = p.Context;
        return p.Task.Kind switch
        {
            ModelTaskKind.Binary => p.Featurize(normalize: true).Append(trainers.BinaryClassification.Trainers.LbfgsLogisticRegression(p.LabelColumn, p.FeaturesColumn, p.WeightColumn)),
            ModelTaskKind.Multiclass => p.Featurize(normalize: true).Append(trainers.MulticlassClassification.Trainers.SdcaMaximumEntropy(p.LabelColumn, p.FeaturesColumn, p.WeightColumn)),
            _ => p.Featurize(normalize: true).Append(trainers.Regression.Trainers.Sdca(p.LabelColumn, p.FeaturesColumn, p.WeightColumn, l2Regularization: 0.01f)),
        };
    }
}
