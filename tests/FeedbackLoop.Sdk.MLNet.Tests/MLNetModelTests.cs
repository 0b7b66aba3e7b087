using FeedbackLoop.MLNet;
using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.Simulation;
using FeedbackLoop.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.Tests;

/// <summary>Scoring, the artifact, probabilities and models trained outside the loop.</summary>
public class MLNetModelTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly AliasChange Host = new("host", "trained offline");

    [Theory]
    [InlineData("binary")]
    [InlineData("multiclass")]
    [InlineData("regression")]
    public async Task Load_TrainedArtifact_ScoresExactlyAsTheTrainedModel(string taskName)
    {
        var traffic = new TaskTraffic(Task(taskName));
        var trained = await new MLNetTrainer().TrainAsync(traffic.Take(300), None);
        var test = traffic.Take(50);

        var loaded = new MLNetTrainer().Load(new MemoryStream(trained.Artifact.ToArray()), traffic.Schema);

        loaded.Task.Should().Be(traffic.Task);
        for (var i = 0; i < test.Count; i++)
        {
            loaded.Predict(test.Row(i)).Should().Be(trained.Predictor.Predict(test.Row(i)));
        }
    }

    [Fact]
    public async Task Artifact_IsAnMLNetModelFile_ThatMLNetLoadsWithTheLoopsColumnsAsItsInputSchema()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var trained = await new MLNetTrainer().TrainAsync(traffic.Take(200), None);

        var model = new MLContext().Model.Load(new MemoryStream(trained.Artifact.ToArray()), out var input);

        model.Should().NotBeNull();
        input.Select(c => $"{c.Name}:{c.Type}").Should().Equal("x1:Single", "x2:Single", "x3:Single", "x4:Single");
    }

    [Fact]
    public async Task Predict_MulticlassDeclaredInAnotherOrderThanAlphabetical_ProbabilitiesFollowTheTasksClassesAndSumToOne()
    {
        var task = ModelTask.Multiclass("mid", "high", "low");
        var traffic = new TaskTraffic(task);
        var model = (await new MLNetTrainer(Pipelines.Linear).TrainAsync(traffic.Take(400), None)).Predictor;
        var schema = traffic.Schema;

        var low = model.Predict(FeatureVector.Create(schema, [0.1, 0.1, 0.5, 0.5]));
        var high = model.Predict(FeatureVector.Create(schema, [0.9, 0.9, 0.5, 0.5]));

        low.Label.Should().Be(Label.Categorical("low"));
        low.Probabilities.ToArray().Should().HaveCount(3).And.Subject.Sum().Should().BeApproximately(1.0, 1e-12);
        low.Probabilities[2].Should().Be(low.Probabilities.ToArray().Max(), "'low' is the task's third class");
        high.Label.Should().Be(Label.Categorical("high"));
        high.Probabilities[1].Should().Be(high.Probabilities.ToArray().Max());
        model.Task.Should().Be(task);
    }

    [Theory]
    [InlineData("FastTree")]
    [InlineData("LightGbm")]
    [InlineData("Linear")]
    public async Task TrainAsync_WindowWithoutOneOfTheClasses_StillScoresEveryDeclaredClass(string family)
    {
        var traffic = new TaskTraffic(TaskTraffic.Regions);
        var all = traffic.Take(600);
        var withoutHigh = TrainingSet.CreateBuilder(all.Schema, all.Task);
        for (var i = 0; i < all.Count; i++)
        {
            if (all.Labels[i].AsCategory() != "high")
            {
                withoutHigh.Add(all.Row(i), all.Labels[i]);
            }
        }

        var model = (await new MLNetTrainer(Pipelines.Named(family)).TrainAsync(withoutHigh.Build(), None)).Predictor;
        var output = model.Predict(FeatureVector.Create(traffic.Schema, [0.1, 0.1, 0.5, 0.5]));

        model.Task.Should().Be(TaskTraffic.Regions);
        output.Label.Should().Be(Label.Categorical("low"));
        output.Probabilities.ToArray().Should().HaveCount(3).And.Subject.Sum().Should().BeApproximately(1.0, 1e-12);
    }

    [Theory]
    [InlineData("FastTree", "trainer")]
    [InlineData("LightGbm", "trainer")]
    [InlineData("Gam", "trainer")]
    [InlineData("SdcaLogisticRegression", "trainer")]
    [InlineData("LbfgsLogisticRegression", "trainer")]
    [InlineData("SgdCalibrated", "trainer")]
    [InlineData("FastForest", "adapter")]
    [InlineData("SdcaNonCalibrated", "adapter")]
    [InlineData("SgdNonCalibrated", "adapter")]
    [InlineData("AveragedPerceptron", "adapter")]
    [InlineData("LinearSvm", "adapter")]
    public async Task TrainAsync_EachBinaryTrainer_GivesProbabilities(string trainer, string calibratedBy)
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var trained = await new MLNetTrainer(p => p.Featurize(normalize: true).Append(Binary(p, trainer))).TrainAsync(traffic.Take(300), None);
        var test = traffic.Take(100);

        trained.Description.Should().Contain(calibratedBy == "trainer" ? "probabilities calibrated by the trainer" : "probabilities Platt-calibrated by the adapter");
        ((MLNetModel)trained.Predictor).HasProbabilities.Should().BeTrue();
        Enumerable.Range(0, test.Count).Select(i => trained.Predictor.Predict(test.Row(i)).Score).Should().OnlyContain(s => s >= 0 && s <= 1);
    }

    [Fact]
    public async Task TrainAsync_UncalibratedBinaryTrainer_IsPlattCalibratedByDefault()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var trained = await new MLNetTrainer(Uncalibrated).TrainAsync(traffic.Take(400), None);
        var test = traffic.Take(200);

        trained.Description.Should().Contain("SdcaNonCalibratedBinaryTrainer").And.EndWith("probabilities Platt-calibrated by the adapter on the training window");
        ((MLNetModel)trained.Predictor).HasProbabilities.Should().BeTrue();
        var scores = Enumerable.Range(0, test.Count).Select(i => trained.Predictor.Predict(test.Row(i)).Score).ToList();
        scores.Should().OnlyContain(s => s >= 0 && s <= 1).And.Contain(s => s < 0.1).And.Contain(s => s > 0.9);
        MLNetTrainerTests.Accuracy(trained.Predictor, test).Should().BeGreaterThan(0.9);
        var loaded = MLNetModel.Load(new MemoryStream(trained.Artifact.ToArray()), traffic.Schema);
        loaded.HasProbabilities.Should().BeTrue("the calibrator is saved with the model");
        loaded.Predict(test.Row(0)).Should().Be(trained.Predictor.Predict(test.Row(0)));
    }

    [Fact]
    public async Task TrainAsync_UncalibratedBinaryTrainerWithCalibrationOff_OutputsLabelsOnly()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var trained = await new MLNetTrainer(Uncalibrated, new MLNetOptions { Calibrate = false }).TrainAsync(traffic.Take(400), None);
        var test = traffic.Take(200);

        trained.Description.Should().EndWith("no probabilities (the trainer is not calibrated and calibration is off)");
        ((MLNetModel)trained.Predictor).HasProbabilities.Should().BeFalse();
        trained.Predictor.Predict(test.Row(0)).Score.Should().Be(double.NaN);
        MLNetTrainerTests.Accuracy(trained.Predictor, test).Should().BeGreaterThan(0.9);
    }

    [Fact]
    public async Task TrainAsync_BinaryFeatureNamedProbabilityWithAnUncalibratedTrainer_IsPlattCalibratedAndServesTheModelsProbabilities()
    {
        var traffic = new TaskTraffic(ModelTask.Binary);
        var training = traffic.Take(300);
        var test = traffic.Take(100);
        var trainer = new MLNetTrainer(p => p.Featurize(normalize: true).Append(Binary(p, "AveragedPerceptron")));

        var named = await trainer.TrainAsync(Renamed(training, "x3", "Probability"), None);
        var plain = await trainer.TrainAsync(training, None);

        named.Description.Should().EndWith("probabilities Platt-calibrated by the adapter on the training window");
        ((MLNetModel)named.Predictor).HasProbabilities.Should().BeTrue();
        var scores = Enumerable.Range(0, test.Count).Select(i => named.Predictor.Predict(Renamed(test.Row(i), "x3", "Probability")).Score).ToList();
        scores.Should().Equal(Enumerable.Range(0, test.Count).Select(i => plain.Predictor.Predict(test.Row(i)).Score), "the feature's name does not change the model");
        scores.Should().NotEqual(Enumerable.Range(0, test.Count).Select(i => test.Row(i).Numeric[2]), "the feature is not the model's probability");
        var loaded = MLNetModel.Load(new MemoryStream(named.Artifact.ToArray()), Renamed(traffic.Schema, "x3", "Probability"));
        loaded.Predict(Renamed(test.Row(0), "x3", "Probability")).Score.Should().Be(scores[0]);
    }

    [Theory]
    [InlineData("PredictedLabel", "Score")]
    [InlineData("Score", "PredictedLabel")]
    public async Task TrainAsync_RegressionFeaturesNamedAsScorerOutputs_TrainAndServeTheModelsScore(string third, string fourth)
    {
        var traffic = new TaskTraffic(ModelTask.Regression);
        var training = traffic.Take(300);
        var test = traffic.Take(50);
        var trainer = new MLNetTrainer(Pipelines.Linear);

        var named = await trainer.TrainAsync(Renamed(Renamed(training, "x3", third), "x4", fourth), None);
        var plain = await trainer.TrainAsync(training, None);

        named.Predictor.Task.Should().Be(ModelTask.Regression);
        var values = Enumerable.Range(0, test.Count).Select(i => named.Predictor.Predict(Renamed(Renamed(test.Row(i), "x3", third), "x4", fourth)).Value).ToList();
        values.Should().Equal(Enumerable.Range(0, test.Count).Select(i => plain.Predictor.Predict(test.Row(i)).Value));
        var schema = Renamed(Renamed(traffic.Schema, "x3", third), "x4", fourth);
        MLNetModel.Load(new MemoryStream(named.Artifact.ToArray()), schema).Predict(Renamed(Renamed(test.Row(0), "x3", third), "x4", fourth)).Value.Should().Be(values[0]);
    }

    [Fact]
    public async Task Predict_ManyThreadsAtOnce_GiveTheSameOutputsAsOneThread()
    {
        var traffic = new TaskTraffic(TaskTraffic.Regions);
        var model = (await new MLNetTrainer().TrainAsync(traffic.Take(300), None)).Predictor;
        var inputs = Enumerable.Range(0, 2_000).Select(_ => traffic.Next().Features).ToArray();
        var expected = inputs.Select(model.Predict).ToArray();

        var actual = new PredictionOutput[inputs.Length];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = model.Predict(inputs[i]));

        actual.Should().Equal(expected);
    }

    [Fact]
    public async Task TrainAsync_CategoricalFeaturesAndMissingValues_AreOneHotEncodedAndLearned()
    {
        var stream = new AgrawalStream(seed: 3, functions: [1], driftPoints: []);
        var set = TrainingSet.CreateBuilder(stream.Schema, ModelTask.Binary);
        for (var i = 0; i < 1_500; i++)
        {
            var sample = stream.Next();
            set.Add(sample.Features, sample.Label);
        }

        var all = set.Build();
        var trained = await new MLNetTrainer().TrainAsync(all, None);

        trained.Description.Should().Contain("6 numeric and 3 categorical features");
        MLNetTrainerTests.Accuracy(trained.Predictor, all).Should().BeGreaterThan(0.9);
    }

    [Fact]
    public async Task TrainAsync_CategoricalFeaturesOnly_AreLearned()
    {
        var stream = new StaggerStream(seed: 4, concepts: [1], driftPoints: []);
        var set = TrainingSet.CreateBuilder(stream.Schema, ModelTask.Binary);
        for (var i = 0; i < 600; i++)
        {
            var sample = stream.Next();
            set.Add(sample.Features, sample.Label);
        }

        var all = set.Build();
        var trained = await new MLNetTrainer().TrainAsync(all, None);

        trained.Description.Should().Contain("0 numeric and 3 categorical features");
        MLNetTrainerTests.Accuracy(trained.Predictor, all).Should().Be(1.0, "STAGGER's concepts are exact functions of the three categories");
    }

    [Theory]
    [InlineData("FastTree")]
    [InlineData("LightGbm")]
    [InlineData("Linear")]
    public async Task TrainAsync_MissingNumericValues_AreLearnedAndScored(string family)
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("a", allowMissing: true).Numeric("b").Build();
        var random = new Random(9);
        TrainingSet Draw(int count)
        {
            var set = TrainingSet.CreateBuilder(schema, ModelTask.Regression);
            for (var i = 0; i < count; i++)
            {
                var (a, b) = (random.NextDouble(), random.NextDouble());
                set.Add(FeatureVector.Create(schema, [random.NextDouble() < 0.2 ? double.NaN : a, b]), Label.Numeric(b * 4));
            }

            return set.Build();
        }

        var model = (await new MLNetTrainer(Pipelines.Named(family)).TrainAsync(Draw(500), None)).Predictor;
        var test = Draw(200);

        var errors = Enumerable.Range(0, test.Count).Select(i => Math.Abs(model.Predict(test.Row(i)).Value - test.Labels[i].AsDouble())).ToList();
        errors.Should().OnlyContain(e => double.IsFinite(e));
        errors.Average().Should().BeLessThan(0.3);
    }

    [Fact]
    public async Task TrainAsync_FeaturesNamedLikeMLNetsColumns_GetOtherLabelWeightAndFeatureColumns()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("Label").Numeric("Features").Categorical("Weight", allowMissing: true).Build();
        var random = new Random(5);
        var set = TrainingSet.CreateBuilder(schema, ModelTask.Binary);
        for (var i = 0; i < 300; i++)
        {
            var (a, b) = (random.NextDouble(), random.NextDouble());
            set.Add(FeatureVector.Create(schema, [a, b], [i % 3 == 0 ? null : "w"]), a > b);
        }

        MLNetPipelineContext? seen = null;
        var trained = await new MLNetTrainer(p => (seen = p).DefaultPipeline()).TrainAsync(set.Build(), None);

        (seen!.LabelColumn, seen.FeaturesColumn, seen.WeightColumn).Should().Be(("Label_", "Features_", "Weight_"));
        trained.Predictor.Predict(FeatureVector.Create(schema, [0.9, 0.1], [null])).Label.Should().Be(Label.Binary(true));
    }

    [Fact]
    public async Task FromTransformer_HostModelKeyedInOrderOfAppearance_IsPromotedInOneCallAndServedInTheTasksOrder()
    {
        var traffic = new TaskTraffic(TaskTraffic.Regions);
        var (host, data) = HostModels.Multiclass(traffic.Take(400));
        await using var loop = new FeedbackLoopBuilder("regions").WithSchema(traffic.Schema).ForTask(traffic.Task).UseMLNet().Build();
        var slots = default(VBuffer<ReadOnlyMemory<char>>);
        host.GetOutputSchema(data.Schema)["Score"].GetSlotNames(ref slots);

        var model = MLNetModel.FromTransformer(host, loop.Schema, loop.Task, data.Schema);
        var version = await loop.PromoteAsync(model, Host, None);

        slots.DenseValues().Select(s => s.ToString()).Should().NotEqual(loop.Task.Classes, "MapValueToKey keyed the classes in order of appearance");
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(model.Artifact.ToArray())))
        {
            zip.GetEntry("FeedbackLoop/Classes.json").Should().NotBeNull("the declared order travels with the model file");
        }

        new MLContext().Model.Load(new MemoryStream(model.Artifact.ToArray()), out _).Should().NotBeNull("ML.NET ignores the extra entry");

        version.Description.Should().Be("ML.NET model trained outside the loop (multiclass[low, mid, high])");
        var test = traffic.Take(200);
        var right = Enumerable.Range(0, test.Count).Count(i => loop.Predict(test.Row(i)).Output.Label == test.Labels[i]);
        right.Should().BeGreaterThan(170);
        var reloaded = await loop.LoadVersionAsync(version.Version, None);
        reloaded.Task.Should().Be(loop.Task, "the artifact keeps the declared class order");
        reloaded.Predict(test.Row(0)).Should().Be(loop.Predict(test.Row(0)).Output);
    }

    [Fact]
    public async Task FromFile_HostModelSavedWithItsTrainingSchema_IsPromotedInOneCall()
    {
        var traffic = new TaskTraffic(TaskTraffic.Regions);
        var (host, data) = HostModels.Multiclass(traffic.Take(400));
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-{Guid.NewGuid():N}.zip");
        new MLContext().Model.Save(host, data.Schema, path);
        await using var loop = new FeedbackLoopBuilder("regions").WithSchema(traffic.Schema).ForTask(traffic.Task).UseMLNet().Build();

        try
        {
            var version = await loop.PromoteAsync(MLNetModel.FromFile(path, loop.Schema, loop.Task), Host, None);

            version.Description.Should().StartWith("ML.NET model file mlnet-");
            loop.Champion!.Version.Should().Be(version.Version);
            loop.Predict(FeatureVector.Create(loop.Schema, [0.95, 0.95, 0.5, 0.5])).Output.Label.Should().Be(Label.Categorical("high"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The schema with one numeric feature renamed (same order, same kinds).</summary>
    private static FeatureSchema Renamed(FeatureSchema schema, string from, string to) =>
        schema.Features.Aggregate(FeatureSchema.CreateBuilder(), (b, f) => b.Numeric(f.Name == from ? to : f.Name)).Build();

    private static FeatureVector Renamed(FeatureVector features, string from, string to) =>
        FeatureVector.Create(Renamed(features.Schema, from, to), features.Numeric);

    private static TrainingSet Renamed(TrainingSet set, string from, string to)
    {
        var renamed = TrainingSet.CreateBuilder(Renamed(set.Schema, from, to), set.Task);
        for (var i = 0; i < set.Count; i++)
        {
            renamed.Add(Renamed(set.Row(i), from, to), set.Labels[i]);
        }

        return renamed.Build();
    }

    private static IEstimator<ITransformer> Binary(MLNetPipelineContext p, string trainer)
    {
        var binary = p.Context.BinaryClassification.Trainers;
        string label = p.LabelColumn, features = p.FeaturesColumn;
        return trainer switch
        {
            "FastTree" => binary.FastTree(label, features),
            "LightGbm" => binary.LightGbm(label, features),
            "Gam" => binary.Gam(label, features),
            "SdcaLogisticRegression" => binary.SdcaLogisticRegression(label, features),
            "LbfgsLogisticRegression" => binary.LbfgsLogisticRegression(label, features),
            "SgdCalibrated" => binary.SgdCalibrated(label, features),
            "FastForest" => binary.FastForest(label, features),
            "SdcaNonCalibrated" => binary.SdcaNonCalibrated(label, features),
            "SgdNonCalibrated" => binary.SgdNonCalibrated(label, features),
            "AveragedPerceptron" => binary.AveragedPerceptron(label, features),
            _ => binary.LinearSvm(label, features),
        };
    }

    private static ModelTask Task(string name) => name switch
    {
        "binary" => ModelTask.Binary,
        "multiclass" => TaskTraffic.Regions,
        _ => ModelTask.Regression,
    };

    private static readonly Func<MLNetPipelineContext, IEstimator<ITransformer>> Uncalibrated = p =>
        p.Featurize(normalize: true).Append(p.Context.BinaryClassification.Trainers.SdcaNonCalibrated(p.LabelColumn, p.FeaturesColumn, p.WeightColumn));
}
