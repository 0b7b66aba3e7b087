using FeedbackLoop.Models;
using FeedbackLoop.Onnx;
using FeedbackLoop.Tests.Onnx;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Tests;

public sealed class OnnxModelTests
{
    private static readonly float[] Weights = [0.8f, -1.5f, 0.25f];

    [Fact]
    public void FromBytes_CorruptBytes_ThrowsInvalidOnnxModelException()
    {
        var garbage = new byte[512];
        new Random(3).NextBytes(garbage);

        var act = () => OnnxModel.FromBytes(garbage, TestModels.Numeric(3), ModelTask.Binary);

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("ONNX Runtime cannot load the model (512 bytes)*")
            .WithInnerException<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>();
    }

    [Fact]
    public void FromBytes_TruncatedModel_ThrowsInvalidOnnxModelException()
    {
        var model = TestModels.Binary(Weights, 0f);

        var act = () => OnnxModel.FromBytes(model.AsMemory(0, model.Length / 2), TestModels.Numeric(3), ModelTask.Binary);

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("*cannot load the model*corrupt, truncated*");
    }

    [Fact]
    public void FromBytes_ModelOfAnotherSchemaWidth_ThrowsNamingTheInput()
    {
        var act = () => OnnxModel.FromBytes(TestModels.Binary(Weights, 0f), TestModels.Numeric(2), ModelTask.Binary);

        act.Should().Throw<InvalidOnnxModelException>()
            .WithMessage("The model's input 'X' has shape [N, 3]; the vector layout feeds [N, 2], one column per numeric feature (x0, x1).");
    }

    [Fact]
    public void FromBytes_PerFeatureModelWithOtherInputNames_ThrowsNamingTheFeature()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("age").Numeric("income").Categorical("region").Build();
        var model = TestModels.PerFeature([0.1f, 0.2f, 0.3f], 0f, ["eu"], [1f], prefix: "in_");

        var act = () => OnnxModel.FromBytes(model, schema, ModelTask.Binary);

        act.Should().Throw<InvalidOnnxModelException>()
            .WithMessage("The feature 'age' feeds the input 'age', which the model does not have (its inputs: 'in_age', 'in_income', 'in_region'); map it with InputNames.");
    }

    [Fact]
    public void FromBytes_OtherInputNamesMappedWithInputNames_Loads()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("age").Numeric("income").Categorical("region").Build();
        var model = TestModels.PerFeature([0.1f, 0.2f, 0.3f], 0f, ["eu"], [1f], prefix: "in_");
        var options = new OnnxModelOptions();
        options.InputNames.Add("age", "in_age");
        options.InputNames.Add("income", "in_income");
        options.InputNames.Add("region", "in_region");

        using var predictor = OnnxPredictorTests.Predictor(OnnxModel.FromBytes(model, schema, ModelTask.Binary, options));

        predictor.InputNames.Should().Equal("in_age", "in_income", "in_region");
        predictor.Predict(FeatureVector.Create(schema, [1.0, 1.0], ["eu"])).Score.Should().BeApproximately(TestModels.Sigmoid(0.6), 1e-6);
    }

    [Fact]
    public void FromBytes_FeatureMappedToTheInputOfAnotherFeature_ThrowsNamingBoth()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("a").Numeric("b").Build();
        var model = new OnnxGraph()
            .Input("b", OnnxGraph.Float, null, 1)
            .RawConstant("W", [2f], 1, 1)
            .Node("MatMul", ["b", "W"], ["variable"])
            .Output("variable", OnnxGraph.Float, null, 1)
            .ToModel();
        var options = new OnnxModelOptions { InputLayout = OnnxInputLayout.PerFeature };
        options.InputNames.Add("a", "b");

        var act = () => OnnxModel.FromBytes(model, schema, ModelTask.Regression, options);

        act.Should().Throw<InvalidOnnxModelException>()
            .WithMessage("The features 'a' and 'b' both feed the input 'b'; each input takes one feature (map one of them elsewhere with InputNames).");
    }

    [Fact]
    public void FromBytes_NumericFeatureMappedToAStringInput_ThrowsNamingBoth()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("age").Numeric("income").Categorical("region").Build();
        var model = TestModels.PerFeature([0.1f, 0.2f, 0.3f], 0f, ["eu"], [1f], prefix: "in_");
        var options = new OnnxModelOptions();
        options.InputNames.Add("age", "in_age");
        options.InputNames.Add("income", "in_region");

        var act = () => OnnxModel.FromBytes(model, schema, ModelTask.Binary, options);

        act.Should().Throw<InvalidOnnxModelException>()
            .WithMessage("The model's input 'in_region' takes String; a numeric feature ('income') feeds a Float tensor.");
    }

    [Fact]
    public void FromBytes_ModelInputNotFedByAnyFeature_ThrowsNamingTheInput()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("age").Numeric("income").Build();
        var model = TestModels.PerFeature([0.1f, 0.2f, 0.3f], 0f, ["eu"], [1f]);

        var act = () => OnnxModel.FromBytes(model, schema, ModelTask.Binary);

        act.Should().Throw<InvalidOnnxModelException>()
            .WithMessage("The model's input 'region' is fed by no feature of the schema [age:Numeric, income:Numeric]; map a feature to it with InputNames.");
    }

    [Theory]
    [InlineData(3L)]
    [InlineData(null)]
    public void FromBytes_ProbabilityOutputOfTheWrongLength_ThrowsNamingTheOutput(long? declared)
    {
        // Three columns for a two-class task, declared or left symbolic (ONNX Runtime's shape inference fills it in).
        var model = TestModels.Softmax(2, 3, [1f, 2f, 3f, 4f, 5f, 6f], [0f, 0f, 0f], declaredClasses: declared);

        var act = () => OnnxModel.FromBytes(model, TestModels.Numeric(2), ModelTask.Multiclass("a", "b"));

        act.Should().Throw<InvalidOnnxModelException>()
            .WithMessage("The model's output 'probabilities' has shape [N, 3]; the task's 2 classes need one probability each, [N, 2].");
    }

    [Fact]
    public void FromBytes_OutputWhoseLengthOnlyARunShows_IsRefusedByTheWarmUpRun()
    {
        // NonZero's output shape depends on the data ([rank, count of non-zeros]; transposed here to [count, 2], which
        // the metadata cannot tell from two class columns): a row of zeros gives [0, 2], which the load-time run refuses.
        var model = new OnnxGraph()
            .Input("X", OnnxGraph.Float, null, 2)
            .Node("NonZero", ["X"], ["indices"])
            .Node("Cast", ["indices"], ["cast"], OnnxGraph.IntAttribute("to", OnnxGraph.Float))
            .Node("Transpose", ["cast"], ["probabilities"])
            .Output("probabilities", OnnxGraph.Float, null, null)
            .ToModel();

        var act = () => OnnxModel.FromBytes(model, TestModels.Numeric(2), ModelTask.Multiclass("a", "b"));

        act.Should().Throw<InvalidOnnxModelException>()
            .WithMessage("The model's output 'probabilities' has shape [0, 2] for one row; the task's 2 classes need one probability each, [N, 2].");
    }

    [Fact]
    public void FromBytes_SequenceOfMapsOutput_IsRefusedWithTheZipMapHint()
    {
        var model = TestModels.ZipMapped(Weights, 0f);

        var byDefault = () => OnnxModel.FromBytes(model, TestModels.Numeric(3), ModelTask.Binary);
        var named = () => OnnxModel.FromBytes(model, TestModels.Numeric(3), ModelTask.Binary, new OnnxModelOptions { OutputName = "output_probability" });

        byDefault.Should().Throw<InvalidOnnxModelException>().WithMessage("The model has no output 'probabilities' and 0 float tensor outputs*'zipmap': False*");
        named.Should().Throw<InvalidOnnxModelException>().WithMessage("The model's output 'output_probability' is a ONNX_TYPE_SEQUENCE, not a tensor*ZipMap*");
    }

    [Fact]
    public void FromBytes_CategoricalFeatureWithTheVectorLayout_Throws()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x0").Numeric("x1").Numeric("x2").Categorical("region").Build();

        var act = () => OnnxModel.FromBytes(TestModels.Binary(Weights, 0f), schema, ModelTask.Binary, new OnnxModelOptions { InputLayout = OnnxInputLayout.Vector });

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("*the feature 'region' is categorical*");
    }

    [Fact]
    public void FromBytes_InputNamesForAModelThatAutoResolvesToTheVectorLayout_ThrowsArgumentException()
    {
        var options = new OnnxModelOptions();
        options.InputNames.Add("x0", "X");

        var act = () => OnnxModel.FromBytes(TestModels.Binary(Weights, 0f), TestModels.Numeric(3), ModelTask.Binary, options);

        act.Should().Throw<ArgumentException>().WithMessage("InputNames are set, but the model has one float input ('X')*InputLayout = PerFeature*");
    }

    [Fact]
    public void FromBytes_OutputNameTheModelLacks_ThrowsListingItsOutputs()
    {
        var act = () => OnnxModel.FromBytes(TestModels.Binary(Weights, 0f), TestModels.Numeric(3), ModelTask.Binary, new OnnxModelOptions { OutputName = "probs" });

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("The model has no output 'probs' (its outputs: 'label', 'probabilities').");
    }

    [Fact]
    public void FromBytes_InvalidOptions_ReportsEveryProblemAtOnce()
    {
        var options = new OnnxModelOptions { InputLayout = OnnxInputLayout.Vector, OutputName = " ", PositiveClassColumn = 2, ModelClasses = ["a", "a"] };
        options.InputNames.Add("x0", "X");
        options.Session.IntraOpThreads = -1;

        var act = () => OnnxModel.FromBytes(TestModels.Binary(Weights, 0f), TestModels.Numeric(3), ModelTask.Binary, options);

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(5)
            .And.Contain(f => f.StartsWith("InputNames are set", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("OutputName", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("ModelClasses names the class 'a' 2 times", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("PositiveClassColumn", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("Session.IntraOpThreads", StringComparison.Ordinal));
    }

    [Fact]
    public void FromBytes_ModelClassesThatAreNotTheTasks_ThrowsArgumentException()
    {
        var model = TestModels.Softmax(2, 3, [1f, 2f, 3f, 4f, 5f, 6f], [0f, 0f, 0f]);
        var options = new OnnxModelOptions { ModelClasses = ["a", "b", "z"] };

        var act = () => OnnxModel.FromBytes(model, TestModels.Numeric(2), ModelTask.Multiclass("a", "b", "c"), options);

        act.Should().Throw<ArgumentException>().WithMessage("ModelClasses [a, b, z] must name each of the task's classes [a, b, c] once*");
    }

    [Fact]
    public void FromFile_ReadsTheFileAndDescribesIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, TestModels.Linear([1f, 2f], 3f));
        try
        {
            var model = OnnxModel.FromFile(path, TestModels.Numeric(2), ModelTask.Regression);
            using var predictor = OnnxPredictorTests.Predictor(model);

            model.Description.Should().StartWith($"ONNX model {Path.GetFileName(path)} (").And.Contain("SHA-256").And.EndWith("trained outside the loop");
            predictor.Predict(FeatureVector.Create(TestModels.Numeric(2), [1.0, 1.0])).Value.Should().BeApproximately(6.0, 1e-6);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromFile_MissingFile_ThrowsFileNotFoundException()
    {
        var act = () => OnnxModel.FromFile(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx"), TestModels.Numeric(2), ModelTask.Regression);

        act.Should().Throw<FileNotFoundException>();
    }
}
