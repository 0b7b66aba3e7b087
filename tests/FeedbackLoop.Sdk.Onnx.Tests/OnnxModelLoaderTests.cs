using FeedbackLoop.Models;
using FeedbackLoop.Onnx;
using FeedbackLoop.Tests.Onnx;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Tests;

public sealed class OnnxModelLoaderTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("age").Numeric("income").Categorical("region").Build();

    [Fact]
    public void Load_ArtifactOfAModel_RestoresAPredictorThatScoresTheSame()
    {
        var model = OnnxModel.FromBytes(TestModels.PerFeature([0.03f, -0.2f, 0.6f], 0.1f, ["eu", "us"], [1f, 2f]), Schema, ModelTask.Binary);
        using var original = OnnxPredictorTests.Predictor(model);

        using var restored = (OnnxPredictor)new OnnxModelLoader().Load(new MemoryStream(model.Artifact.ToArray()), Schema);

        restored.Task.Should().Be(ModelTask.Binary);
        restored.InputNames.Should().Equal(original.InputNames);
        foreach (var region in new[] { "eu", "us", "asia" })
        {
            var input = FeatureVector.Create(Schema, [35.0, 2.0], [region]);
            restored.Predict(input).Should().Be(original.Predict(input));
        }
    }

    [Fact]
    public void Load_MulticlassArtifact_RestoresTheTaskAndTheColumnOrder()
    {
        var schema = TestModels.Numeric(2);
        var task = ModelTask.Multiclass("red", "green", "blue");
        var model = OnnxModel.FromBytes(
            TestModels.Softmax(2, 3, [1f, -1f, 0.5f, 0.2f, 0.3f, -0.7f], [0.1f, 0f, -0.2f]), schema, task, new OnnxModelOptions { ModelClasses = ["blue", "red", "green"] });
        using var original = OnnxPredictorTests.Predictor(model);

        using var restored = (OnnxPredictor)new OnnxModelLoader().Load(new MemoryStream(model.Artifact.ToArray()), schema);

        restored.Task.Should().Be(task);
        var input = FeatureVector.Create(schema, [0.7, -1.3]);
        restored.Predict(input).Should().Be(original.Predict(input));
    }

    [Fact]
    public void Load_ArtifactMappedToAnotherSchema_ThrowsFormatExceptionNamingBoth()
    {
        var model = OnnxModel.FromBytes(TestModels.Linear([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Regression);
        var other = FeatureSchema.CreateBuilder().Numeric("a").Numeric("b").Build();

        var act = () => new OnnxModelLoader().Load(new MemoryStream(model.Artifact.ToArray()), other);

        act.Should().Throw<FormatException>().Which.Should().BeOfType<InvalidOnnxModelException>()
            .Which.Message.Should().Contain("mapped to the schema [x0:Numeric, x1:Numeric]").And.Contain("this loop's schema is [a:Numeric, b:Numeric]");
    }

    [Fact]
    public void Load_TruncatedArtifact_ThrowsFormatException()
    {
        var artifact = OnnxModel.FromBytes(TestModels.Linear([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Regression).Artifact.ToArray();

        var act = () => new OnnxModelLoader().Load(new MemoryStream(artifact[..(artifact.Length - 40)]), TestModels.Numeric(2));

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("*truncated*");
    }

    [Fact]
    public void Load_ArtifactWithAChangedByte_ThrowsFormatException()
    {
        var artifact = OnnxModel.FromBytes(TestModels.Linear([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Regression).Artifact.ToArray();
        artifact[artifact.Length - 50] ^= 0x40;

        var act = () => new OnnxModelLoader().Load(new MemoryStream(artifact), TestModels.Numeric(2));

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("The ONNX artifact's SHA-256 does not match its content*");
    }

    [Fact]
    public void Load_BareOnnxModelInsteadOfAnArtifact_ThrowsFormatException()
    {
        var act = () => new OnnxModelLoader().Load(new MemoryStream(TestModels.Linear([1f, 2f], 0f)), TestModels.Numeric(2));

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("The artifact is not a FeedbackLoop ONNX model*");
    }

    [Fact]
    public void Constructor_InvalidSessionOptions_ReportsEveryProblem()
    {
        var act = () => new OnnxModelLoader(new OnnxSessionOptions { IntraOpThreads = -2, InterOpThreads = 5_000 });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(2);
    }

    [Fact]
    public void SessionOptions_Defaults_AreOneThreadSequentialFullOptimisation()
    {
        var options = new OnnxSessionOptions();

        new OnnxSessionOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
        options.IntraOpThreads.Should().Be(1);
        options.InterOpThreads.Should().Be(1);
        options.ParallelExecution.Should().BeFalse();
        options.GraphOptimizationLevel.Should().Be(Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL);
        new OnnxModelOptionsValidator().Validate(null, new OnnxModelOptions()).Succeeded.Should().BeTrue();
    }
}
