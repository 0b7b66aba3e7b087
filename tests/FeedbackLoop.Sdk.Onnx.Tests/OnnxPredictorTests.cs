using FeedbackLoop.Models;
using FeedbackLoop.Onnx;
using FeedbackLoop.Tests.Onnx;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests;

public sealed class OnnxPredictorTests
{
    private static readonly float[] BinaryWeights = [0.8f, -1.5f, 0.25f];
    private const float BinaryBias = -0.3f;

    [Theory]
    [InlineData(0.0, 0.0, 0.0)]
    [InlineData(1.2, 0.4, -3.0)]
    [InlineData(-2.5, -1.0, 7.5)]
    public void Predict_VectorBinaryModel_MatchesHandComputedSigmoid(double a, double b, double c)
    {
        var schema = TestModels.Numeric(3);
        using var predictor = Predictor(OnnxModel.FromBytes(TestModels.Binary(BinaryWeights, BinaryBias), schema, ModelTask.Binary));

        var output = predictor.Predict(FeatureVector.Create(schema, [a, b, c]));

        var expected = TestModels.Sigmoid(TestModels.Dot(BinaryWeights, [a, b, c]) + BinaryBias);
        output.Score.Should().BeApproximately(expected, 1e-6);
        output.Label.AsBoolean().Should().Be(expected >= 0.5);
        predictor.InputLayout.Should().Be(OnnxInputLayout.Vector);
        predictor.InputNames.Should().Equal("X");
        predictor.OutputName.Should().Be("probabilities", "skl2onnx's name is preferred over the model's other outputs");
    }

    [Fact]
    public void Predict_SoftmaxMulticlassModel_MatchesHandComputedSoftmax()
    {
        var schema = TestModels.Numeric(2);
        float[] weights = [1f, -1f, 0.5f, 0.2f, 0.3f, -0.7f];
        float[] biases = [0.1f, 0f, -0.2f];
        var task = ModelTask.Multiclass("red", "green", "blue");
        using var predictor = Predictor(OnnxModel.FromBytes(TestModels.Softmax(2, 3, weights, biases), schema, task));

        var output = predictor.Predict(FeatureVector.Create(schema, [0.7, -1.3]));

        var expected = HandSoftmax(weights, biases, [0.7, -1.3], 3);
        output.Probabilities.ToArray().Should().BeEquivalentTo(expected, o => o.Using<double>(x => x.Subject.Should().BeApproximately(x.Expectation, 1e-6)).WhenTypeIs<double>());
        output.Label.AsCategory().Should().Be(task.Classes[Array.IndexOf(expected, expected.Max())]);
    }

    [Fact]
    public void Predict_ModelClassesInAnotherOrder_ReturnsProbabilitiesInTheTasksOrder()
    {
        var schema = TestModels.Numeric(2);
        float[] weights = [1f, -1f, 0.5f, 0.2f, 0.3f, -0.7f];
        float[] biases = [0.1f, 0f, -0.2f];
        var task = ModelTask.Multiclass("red", "green", "blue");
        var options = new OnnxModelOptions { ModelClasses = ["blue", "red", "green"] };
        using var predictor = Predictor(OnnxModel.FromBytes(TestModels.Softmax(2, 3, weights, biases), schema, task, options));

        var output = predictor.Predict(FeatureVector.Create(schema, [0.7, -1.3]));

        var columns = HandSoftmax(weights, biases, [0.7, -1.3], 3);
        output.Probabilities[0].Should().BeApproximately(columns[1], 1e-6, "red is the model's column 1");
        output.Probabilities[1].Should().BeApproximately(columns[2], 1e-6, "green is the model's column 2");
        output.Probabilities[2].Should().BeApproximately(columns[0], 1e-6, "blue is the model's column 0");
    }

    [Fact]
    public void Predict_LinearRegressionModel_MatchesHandComputation()
    {
        var schema = TestModels.Numeric(2);
        using var predictor = Predictor(OnnxModel.FromBytes(TestModels.Linear([2.5f, -0.5f], 10f), schema, ModelTask.Regression));

        var output = predictor.Predict(FeatureVector.Create(schema, [3.0, 4.0]));

        output.Value.Should().BeApproximately((2.5 * 3.0) - (0.5 * 4.0) + 10.0, 1e-5);
        predictor.OutputName.Should().Be("variable");
    }

    [Theory]
    [InlineData("eu", 1.0)]
    [InlineData("us", 2.0)]
    [InlineData("mars", -1.0)]
    [InlineData(null, -1.0)]
    public void Predict_PerFeatureInputsWithAStringCategory_MatchesHandComputation(string? region, double code)
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("age").Numeric("income").Categorical("region", allowMissing: true).Build();
        float[] weights = [0.03f, -0.2f, 0.6f];
        var model = TestModels.PerFeature(weights, 0.1f, ["eu", "us"], [1f, 2f]);
        using var predictor = Predictor(OnnxModel.FromBytes(model, schema, ModelTask.Binary));

        var output = predictor.Predict(FeatureVector.Create(schema, [40.0, 1.5], [region]));

        predictor.InputLayout.Should().Be(OnnxInputLayout.PerFeature);
        predictor.InputNames.Should().Equal("age", "income", "region");
        output.Score.Should().BeApproximately(TestModels.Sigmoid((0.03 * 40.0) - (0.2 * 1.5) + (0.6 * code) + 0.1), 1e-6);
    }

    [Fact]
    public void Predict_ManyThreadsAtOnce_GiveWhatOneThreadGives()
    {
        var schema = TestModels.Numeric(3);
        using var predictor = Predictor(OnnxModel.FromBytes(TestModels.Binary(BinaryWeights, BinaryBias), schema, ModelTask.Binary));
        var random = new Random(7);
        var inputs = Enumerable.Range(0, 200)
            .Select(_ => FeatureVector.Create(schema, [random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2]))
            .ToArray();
        var alone = inputs.Select(x => predictor.Predict(x).Score).ToArray();

        var together = new double[8][];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var scores = new double[inputs.Length * 5];
            start.SignalAndWait();
            for (var i = 0; i < scores.Length; i++)
            {
                // Each thread walks the inputs from its own offset, so different rows are in flight at once.
                scores[i] = predictor.Predict(inputs[(i + (t * 37)) % inputs.Length]).Score;
            }

            together[t] = scores;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (var t = 0; t < 8; t++)
        {
            for (var i = 0; i < together[t].Length; i++)
            {
                together[t][i].Should().Be(alone[(i + (t * 37)) % inputs.Length]);
            }
        }
    }

    [Fact]
    public void Predict_SteadyState_AllocatesNothingBeyondTheOutput()
    {
        var schema = TestModels.Numeric(3);
        using var binary = Predictor(OnnxModel.FromBytes(TestModels.Binary(BinaryWeights, BinaryBias), schema, ModelTask.Binary));
        var task = ModelTask.Multiclass("red", "green", "blue");
        using var multiclass = Predictor(OnnxModel.FromBytes(TestModels.Softmax(3, 3, [1f, -1f, 0.5f, 0.2f, 0.3f, -0.7f, 0f, 1f, 2f], [0.1f, 0f, -0.2f]), schema, task));
        var input = FeatureVector.Create(schema, [0.5, -0.5, 1.5]);

        var binaryBytes = Allocations.OnCurrentThread(() => binary.Predict(input));
        var multiclassBytes = Allocations.OnCurrentThread(() => multiclass.Predict(input));

        binaryBytes.Should().Be(0, "the pooled tensors are bound to the session once and a binary output is a struct");
        multiclassBytes.Should().BeLessThanOrEqualTo(24 + (3 * 8) + 8, "only the output's copy of the three probabilities is allocated");
    }

    [Fact]
    public void Predict_ProbabilitiesThatDoNotSumToOne_ThrowsOnnxPredictionException()
    {
        // Sigmoid per class instead of Softmax: each value is a probability, but together they are no distribution.
        var schema = TestModels.Numeric(2);
        var model = TestModels.Softmax(2, 3, [1f, -1f, 0.5f, 0.2f, 0.3f, -0.7f], [0.1f, 0f, -0.2f], activation: "Sigmoid");
        using var predictor = Predictor(OnnxModel.FromBytes(model, schema, ModelTask.Multiclass("a", "b", "c")));

        var act = () => predictor.Predict(FeatureVector.Create(schema, [0.7, -1.3]));

        act.Should().Throw<OnnxPredictionException>().WithMessage("*output 'probabilities' is not a probability distribution*sum to*not 1*");
    }

    [Fact]
    public void Predict_BinaryColumnsThatDoNotSumToOne_ThrowsOnnxPredictionException()
    {
        var schema = TestModels.Numeric(1);
        var model = new OnnxGraph()
            .Input("X", OnnxGraph.Float, null, 1)
            .Node("Sigmoid", ["X"], ["p"])
            .Node("Concat", ["p", "p"], ["probabilities"], OnnxGraph.IntAttribute("axis", 1))
            .Output("probabilities", OnnxGraph.Float, null, 2)
            .ToModel();
        using var predictor = Predictor(OnnxModel.FromBytes(model, schema, ModelTask.Binary));

        var act = () => predictor.Predict(FeatureVector.Create(schema, [2.0]));

        act.Should().Throw<OnnxPredictionException>().WithMessage("*2 values sum to 1.76*");
    }

    [Theory]
    [InlineData(-5.0, "NaN")]
    [InlineData(-1.0, "-Infinity")]
    public void Predict_RegressionValueNaNOrInfinite_ThrowsOnnxPredictionException(double x, string value)
    {
        // variable = Log(x + 1): NaN below -1, -Infinity at -1 (ONNX Log follows IEEE 754).
        var schema = TestModels.Numeric(1);
        using var predictor = Predictor(OnnxModel.FromBytes(TestModels.Linear([1f], 1f, then: "Log"), schema, ModelTask.Regression));

        var act = () => predictor.Predict(FeatureVector.Create(schema, [x]));

        act.Should().Throw<OnnxPredictionException>().WithMessage($"*output 'variable' is {value}; a regression value must be finite*");
        predictor.Predict(FeatureVector.Create(schema, [0.0])).Value.Should().Be(0.0, "a finite value still scores");
    }

    [Fact]
    public void Predict_VectorOfAnotherSchema_ThrowsArgumentException()
    {
        using var predictor = Predictor(OnnxModel.FromBytes(TestModels.Linear([1f, 2f], 0f), TestModels.Numeric(2), ModelTask.Regression));
        var other = FeatureSchema.CreateBuilder().Numeric("a").Numeric("b").Build();

        var act = () => predictor.Predict(FeatureVector.Create(other, [1.0, 2.0]));

        act.Should().Throw<ArgumentException>().WithMessage("*follows schema [a:Numeric, b:Numeric]*mapped to [x0:Numeric, x1:Numeric]*");
    }

    [Fact]
    public void Dispose_WhileOtherThreadsPredict_LetsTheirCallsFinishAndRefusesLaterOnes()
    {
        var schema = TestModels.Numeric(3);
        var predictor = Predictor(OnnxModel.FromBytes(TestModels.Binary(BinaryWeights, BinaryBias), schema, ModelTask.Binary));
        var input = FeatureVector.Create(schema, [0.5, 0.5, 0.5]);
        var expected = predictor.Predict(input).Score;
        var disposed = 0;
        var unexpected = new List<Exception>();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            while (true)
            {
                try
                {
                    predictor.Predict(input).Score.Should().Be(expected);
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref disposed);
                    return;
                }
                catch (Exception exception)
                {
                    lock (unexpected)
                    {
                        unexpected.Add(exception);
                    }

                    return;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Thread.Sleep(50);

        predictor.Dispose();
        threads.ForEach(t => t.Join());

        unexpected.Should().BeEmpty();
        disposed.Should().Be(4);
        predictor.Invoking(p => p.Predict(input)).Should().Throw<ObjectDisposedException>();
        predictor.Invoking(p => p.Dispose()).Should().NotThrow("Dispose is idempotent");
    }

    internal static OnnxPredictor Predictor(TrainedModel model) => model.Predictor.Should().BeOfType<OnnxPredictor>().Subject;

    private static double[] HandSoftmax(float[] weights, float[] biases, double[] x, int classes)
    {
        var z = new double[classes];
        for (var k = 0; k < classes; k++)
        {
            z[k] = biases[k];
            for (var f = 0; f < x.Length; f++)
            {
                z[k] += weights[(f * classes) + k] * x[f];
            }
        }

        var max = z.Max();
        var exp = z.Select(v => Math.Exp(v - max)).ToArray();
        return [.. exp.Select(e => e / exp.Sum())];
    }
}
