using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
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
    public void Load_CraftedPositiveClassColumnOutOfRange_ThrowsNamingIt()
    {
        var model = OnnxModel.FromBytes(TestModels.Binary([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Binary);

        var act = () => new OnnxModelLoader().Load(Crafted(model, m => m["positiveClassColumn"] = 2), TestModels.Numeric(2));

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("The ONNX mapping's positive class column is 2; a binary output has columns 0 and 1.");
    }

    [Theory]
    [InlineData("red,green,purple")]
    [InlineData("red,green,green")]
    [InlineData("red,green")]
    public void Load_CraftedModelClassesNotThoseOfTheTask_ThrowsNamingThem(string list)
    {
        var classes = list.Split(',');
        var task = ModelTask.Multiclass("red", "green", "blue");
        var model = OnnxModel.FromBytes(TestModels.Softmax(2, 3, [1f, -1f, 0.5f, 0.2f, 0.3f, -0.7f], [0.1f, 0f, -0.2f]), TestModels.Numeric(2), task);

        var act = () => new OnnxModelLoader().Load(Crafted(model, m => m["modelClasses"] = new JsonArray([.. classes.Select(c => JsonValue.Create(c))])), TestModels.Numeric(2));

        act.Should().Throw<InvalidOnnxModelException>()
            .WithMessage($"The ONNX mapping's model classes [{string.Join(", ", classes)}] must name each of the task's classes [red, green, blue] once.");
    }

    [Fact]
    public void Load_CraftedModelClassesOnABinaryTask_ThrowsNamingThem()
    {
        var model = OnnxModel.FromBytes(TestModels.Binary([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Binary);

        var act = () => new OnnxModelLoader().Load(Crafted(model, m => m["modelClasses"] = new JsonArray("no", "yes")), TestModels.Numeric(2));

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("The ONNX mapping names model classes [no, yes], but the task is * not multiclass.");
    }

    [Theory]
    [InlineData("")]
    [InlineData("X,X")]
    public void Load_CraftedVectorLayoutWithoutExactlyOneInput_ThrowsNamingTheCount(string list)
    {
        var inputs = list.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var model = OnnxModel.FromBytes(TestModels.Linear([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Regression);

        var act = () => new OnnxModelLoader().Load(Crafted(model, m => m["inputs"] = new JsonArray([.. inputs.Select(i => JsonValue.Create(i))])), TestModels.Numeric(2));

        act.Should().Throw<InvalidOnnxModelException>().WithMessage($"The ONNX mapping's vector layout names {inputs.Length} inputs*; it feeds exactly one.");
    }

    [Fact]
    public void Load_CraftedPerFeatureMappingFeedingOneInputTwice_ThrowsNamingBothFeatures()
    {
        var model = OnnxModel.FromBytes(TestModels.PerFeature([0.03f, -0.2f, 0.6f], 0.1f, ["eu", "us"], [1f, 2f]), Schema, ModelTask.Binary);

        var act = () => new OnnxModelLoader().Load(Crafted(model, m => m["inputs"] = new JsonArray("age", "age", "region")), Schema);

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("The features 'age' and 'income' both feed the input 'age'*");
    }

    [Theory]
    [InlineData("task", "2")]
    [InlineData("task", "7")]
    [InlineData("task", "regression")]
    [InlineData("task", "Regression, Binary")]
    [InlineData("layout", "1")]
    [InlineData("layout", " Vector")]
    [InlineData("layout", "Auto")]
    public void Load_CraftedKindOrLayoutNotByItsName_ThrowsNamingIt(string property, string value)
    {
        var model = OnnxModel.FromBytes(TestModels.Linear([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Regression);

        var act = () => new OnnxModelLoader().Load(Crafted(model, m => m[property] = value), TestModels.Numeric(2));

        act.Should().Throw<InvalidOnnxModelException>().Which.Message.Should().ContainAny($"'{property}' is '{value}'", "unresolved layout Auto");
    }

    [Fact]
    public void Load_CraftedUnchangedMapping_Loads()
    {
        var model = OnnxModel.FromBytes(TestModels.Linear([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Regression);

        using var restored = (OnnxPredictor)new OnnxModelLoader().Load(Crafted(model, _ => { }), TestModels.Numeric(2));

        restored.Predict(FeatureVector.Create(TestModels.Numeric(2), [1.0, 1.0])).Value.Should().BeApproximately(3.0, 1e-6);
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

    /// <summary>
    /// The artifact of <paramref name="model"/> with its mapping changed and its frame (length and SHA-256) rewritten to
    /// match: a consistent frame anyone can craft, since the hash is not keyed.
    /// </summary>
    private static MemoryStream Crafted(TrainedModel model, Action<JsonObject> change)
    {
        const int Header = 8; // "FLONNX", uint16 version
        var artifact = model.Artifact.Span;
        var length = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(artifact[Header..]));
        var mapping = JsonNode.Parse(artifact.Slice(Header + 4, length))!.AsObject();
        change(mapping);
        var json = System.Text.Encoding.UTF8.GetBytes(mapping.ToJsonString());
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)json.Length);
        byte[] body = [.. artifact[..Header], .. prefix, .. json, .. artifact[(Header + 4 + length)..^32]];
        return new MemoryStream([.. body, .. SHA256.HashData(body)]);
    }
}
