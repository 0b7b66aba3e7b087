using FeedbackLoop.Tests.TestSupport;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using static FeedbackLoop.Tests.Learning.LogisticRegressionTestData;

namespace FeedbackLoop.Tests.Learning;

public sealed class LogisticRegressionModelTests
{
    [Fact]
    public async Task Predict_AnyInput_IsSigmoidOfInterceptPlusWeightsTimesEncodedRow()
    {
        var model = await TrainMixedAsync();
        var vector = FeatureVector.Create(model.Schema, [1.5, 4.0], ["south"]);

        var output = model.Predict(vector);

        var means = model.Encoding.Means;
        var scales = model.Encoding.Scales;
        var z = model.Intercept
            + (model.Weights[0] * ((1.5 - means[0]) / scales[0]))
            + (model.Weights[1] * ((4.0 - means[1]) / scales[1]))
            + model.Weights[model.WeightNames.ToList().IndexOf("region=south")];
        output.Score.Should().BeApproximately(1.0 / (1.0 + Math.Exp(-z)), 1e-15);
        output.Label.Should().Be(Label.Binary(output.Score >= 0.5));
    }

    [Fact]
    public async Task WeightNames_MixedSchema_NumericFirstThenCategoriesInOrdinalOrder()
    {
        var model = await TrainMixedAsync();

        model.WeightNames.Should().Equal("x1", "x2", "region=east", "region=north", "region=south");
        model.Weights.Should().HaveCount(5);
    }

    [Fact]
    public async Task Predict_UnseenCategory_EncodesAsAllZeros()
    {
        var model = await TrainMixedAsync();

        var unseen = model.Predict(FeatureVector.Create(model.Schema, [0.7, 2.0], ["west"])).Score;

        var means = model.Encoding.Means;
        var scales = model.Encoding.Scales;
        var z = model.Intercept + (model.Weights[0] * ((0.7 - means[0]) / scales[0])) + (model.Weights[1] * ((2.0 - means[1]) / scales[1]));
        unseen.Should().BeApproximately(1.0 / (1.0 + Math.Exp(-z)), 1e-15);
        foreach (var seen in new[] { "east", "north", "south" })
        {
            model.Predict(FeatureVector.Create(model.Schema, [0.7, 2.0], [seen])).Score.Should().NotBe(unseen);
        }
    }

    [Fact]
    public async Task Predict_MissingCategory_SameAsUnseenCategory()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Categorical("colour", allowMissing: true).Build();
        var colours = new[] { "red", "green", null };
        var examples = Enumerable.Range(0, 60)
            .Select(i => Example(FeatureVector.Create(schema, [i % 7], [colours[i % 3]]), (i % 3 == 0) ^ (i % 5 == 0)))
            .ToList();
        var trained = await new LogisticRegressionLearner().TrainAsync(new ExampleSet(schema, examples), CancellationToken.None);
        var model = (LogisticRegressionModel)trained.Predictor;

        var missing = model.Predict(FeatureVector.Create(schema, [3.0], [null])).Score;
        var unseen = model.Predict(FeatureVector.Create(schema, [3.0], ["blue"])).Score;

        missing.Should().Be(unseen);
        model.WeightNames.Should().Equal("x", "colour=green", "colour=red");
    }

    public static TheoryData<double, double> ExtremeInputs => new()
    {
        { 1e308, -1e308 },
        { -1e308, 1e308 },
        { double.MaxValue, double.MaxValue },
        { -double.MaxValue, -double.MaxValue },
        { double.MaxValue, -double.MaxValue },
        { double.Epsilon, -double.Epsilon },
    };

    [Theory]
    [MemberData(nameof(ExtremeInputs))]
    public async Task Predict_ExtremeFiniteInputs_ProbabilityInUnitInterval(double x0, double x1)
    {
        // Before the fix, 1e308 and -1e308 made the linear predictor ∞ - ∞ = NaN and PredictionOutput.Binary threw.
        var trained = await new LogisticRegressionLearner().TrainAsync(Separable(500, seed: 5), CancellationToken.None);
        var model = (LogisticRegressionModel)trained.Predictor;
        var unfenced = WithoutFences(model);
        var features = FeatureVector.Create(model.Schema, [x0, x1]);

        foreach (var predictor in new[] { model, unfenced })
        {
            var output = predictor.Predict(features);

            output.Score.Should().BeInRange(0.0, 1.0);
            output.Label.Should().Be(Label.Binary(output.Score >= 0.5));
        }
    }

    [Fact]
    public async Task Predict_ValueBeyondAFence_ScoredAsTheFence()
    {
        var trained = await new LogisticRegressionLearner().TrainAsync(Separable(500, seed: 5), CancellationToken.None);
        var model = (LogisticRegressionModel)trained.Predictor;
        var upper = model.Encoding.UpperFences[0];
        var lower = model.Encoding.LowerFences[1];
        double Z(double x0, double x1) => model.Encoding.LinearPredictor(FeatureVector.Create(model.Schema, [x0, x1]), model.WeightSpan, model.Intercept);

        Z(1e308, -0.5).Should().Be(Z(upper, -0.5));
        Z(0.3, -1e300).Should().Be(Z(0.3, lower));
        Z(0.99 * upper, -0.5).Should().BeLessThan(Z(upper, -0.5), "inside the fences a value is not clipped");
        Z(0.3, 0.99 * lower).Should().BeGreaterThan(Z(0.3, lower));
        model.Predict(FeatureVector.Create(model.Schema, [1e308, -1e308])).Score
            .Should().Be(model.Predict(FeatureVector.Create(model.Schema, [upper, lower])).Score);
    }

    [Fact]
    public void Predict_StandardisedValueThatOverflows_ClampedWithItsSign()
    {
        // No fences (as read from format version 1) and a tiny scale: (1e308 - (-1e308)) / 1e-300 overflows to +∞.
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
        var model = Model(schema, means: [-1e308], scales: [1e-300], weights: [1e-6], intercept: 0.0);

        var up = model.Predict(FeatureVector.Create(schema, [1e308])).Score;
        var down = model.Predict(FeatureVector.Create(schema, [-double.MaxValue])).Score;

        up.Should().Be(1.0 / (1.0 + Math.Exp(-1e-6 * FeatureEncoding.StandardisedBound)), "the standardised value is clamped to +10⁶");
        down.Should().Be(1.0 / (1.0 + Math.Exp(1e-6 * FeatureEncoding.StandardisedBound)));
    }

    [Theory]
    [InlineData(1e305, 1e305, 0.5)]
    [InlineData(1e305, 1e304, 1.0)]
    [InlineData(1e304, 1e305, 0.0)]
    public void Predict_LinearPredictorThatOverflows_SummedSafelyAndSigmoidOfInfinityIsZeroOrOne(double w0, double w1, double expected)
    {
        // Weights no training produces but an artifact may hold: w0·10⁶ is +∞ and w1·(-10⁶) is -∞ in a plain sum.
        var schema = FeatureSchema.CreateBuilder().Numeric("a").Numeric("b").Build();
        var model = Model(schema, means: [0.0, 0.0], scales: [1.0, 1.0], weights: [w0, w1], intercept: 0.0);

        var output = model.Predict(FeatureVector.Create(schema, [1e308, -1e308]));

        output.Score.Should().Be(expected);
    }

    [Fact]
    public async Task Predict_VectorOfAnotherSchema_ThrowsArgumentException()
    {
        var model = await TrainMixedAsync();
        var other = FeatureSchema.CreateBuilder().Numeric("x1").Numeric("x2").Build();

        var act = () => model.Predict(FeatureVector.Create(other, [1.0, 2.0]));

        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("*follows schema*trained on*");
    }

    [Fact]
    public async Task Predict_EqualSchemaInstance_Accepted()
    {
        var model = await TrainMixedAsync();
        var sameShape = Reference("mixed").Schema();

        var output = model.Predict(FeatureVector.Create(sameShape, [1.0, 2.0], ["east"]));

        output.Score.Should().Be(model.Predict(FeatureVector.Create(model.Schema, [1.0, 2.0], ["east"])).Score);
    }

    [Fact]
    public async Task Predict_Null_ThrowsArgumentNullException()
    {
        var model = await TrainMixedAsync();

        var act = () => model.Predict(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("features");
    }

    [Fact]
    public async Task Predict_SteadyState_AllocatesNothing()
    {
        var model = await TrainMixedAsync();
        var vectors = new[]
        {
            FeatureVector.Create(model.Schema, [0.1, 2.0], ["north"]),
            FeatureVector.Create(model.Schema, [-3.0, 9.0], ["west"]),
        };
        var sum = 0.0;

        var allocated = Allocations.OnCurrentThread(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                sum += model.Predict(vectors[i & 1]).Score;
            }
        });

        allocated.Should().Be(0);
        sum.Should().BePositive();
    }

    [Fact]
    public async Task Predict_ConcurrentCallers_GetTheSameScores()
    {
        var reference = Reference("mixed");
        var data = reference.TrainingData();
        var model = await TrainMixedAsync();
        var expected = data.Examples.Select(e => model.Predict(e.Prediction.Features).Score).ToArray();
        var mismatches = 0;

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < expected.Length; i++)
            {
                if (model.Predict(data.Examples[i].Prediction.Features).Score != expected[i])
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        });

        mismatches.Should().Be(0);
    }

    [Fact]
    public async Task Weights_CannotBeModifiedThroughTheList()
    {
        var model = await TrainMixedAsync();

        var act = () => ((IList<double>)model.Weights)[0] = 42.0;

        act.Should().Throw<NotSupportedException>();
    }

    [Fact]
    public async Task ToArtifact_CalledTwice_SameBytesStartingWithMagicAndVersion()
    {
        var model = await TrainMixedAsync();

        var first = model.ToArtifact();
        var second = model.ToArtifact();

        first.Should().Equal(second);
        first[..4].Should().Equal("FLLR"u8.ToArray());
        BitConverter.ToInt32(first, 4).Should().Be(2);
    }

    private static LogisticRegressionModel Model(FeatureSchema schema, double[] means, double[] scales, double[] weights, double intercept) =>
        new(
            new FeatureEncoding(
                schema,
                means,
                scales,
                [.. means.Select(_ => double.NegativeInfinity)],
                [.. means.Select(_ => double.PositiveInfinity)],
                []),
            weights,
            intercept,
            LogisticRegressionModel.DefaultThreshold);

    private static LogisticRegressionModel WithoutFences(LogisticRegressionModel model) =>
        Model(model.Schema, model.Encoding.Means.ToArray(), model.Encoding.Scales.ToArray(), [.. model.Weights], model.Intercept);

    private static async Task<LogisticRegressionModel> TrainMixedAsync()
    {
        var reference = Reference("mixed");
        var trained = await new LogisticRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);
        return (LogisticRegressionModel)trained.Predictor;
    }
}
