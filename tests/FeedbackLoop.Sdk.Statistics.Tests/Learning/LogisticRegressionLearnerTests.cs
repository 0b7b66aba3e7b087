using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using static FeedbackLoop.Tests.Learning.LogisticRegressionTestData;

namespace FeedbackLoop.Tests.Learning;

public sealed class LogisticRegressionLearnerTests
{
    // Both sides minimise the same strictly convex objective J (sklearn's, divided by n*C), so they share one minimiser
    // and differ only by where each iterative optimiser stops. The reference sits at the minimiser to ~1e-15 (checked by
    // the generating script). Near the minimiser |θ - θ*| <= |∇J(θ)| / λmin(∇²J); with a 1e-10 gradient tolerance and
    // λmin >= 7.5e-4 (the one-hot dataset, printed by the script) that bounds the learner's error below 1.5e-7, so 1e-6
    // absolute on coefficients and probabilities leaves room for rounding without hiding a wrong objective.
    private const double ReferenceTolerance = 1e-6;

    /// <summary>Per numeric feature, format version 2 holds four float64: mean, scale, lower fence, upper fence.</summary>
    private const int NumericFeatureBytes = 32;

    /// <summary>
    /// A format-version-1 artifact, written by the learner before the fences existed (commit ab22284) for the "mixed"
    /// reference at its l2, and the scores that build gave for <see cref="Version1Probes"/>, as IEEE 754 bits.
    /// </summary>
    private const string Version1Artifact =
        "RkxMUgEAAAADAAAAAgAAAHgxAAIAAAB4MgAGAAAAcmVnaW9uAcpAUzudgZa/NQymxddc/z93emoKBscGQEKo4755JAlAAwAAAAQAAABlYXN0BQAAAG5vcnRoBQAAAHNvdXRo" +
        "BQAAACKzwJZxY/o/ZIU4f+Mo8b8S38e+owbhv3RGxG3ywOY/9Sl9rDjpxr95ADv+J56zPwAAAAAAAOA/MW1oqDCCcL3ia6m6/Z7dr92zYUT3/5gPZoYlU63hXk0=";

    private static readonly (double X1, double X2, string Region, long ScoreBits)[] Version1Probes =
    [
        (0.5, 2.0, "west", 0x3FE61CE3C2A3FE74),
        (-1.25, 7.5, "north", 0x3FC1A4C3FE09DEB8),
        (3.0, 0.1, "east", 0x3FEE848990CFCDE1),
        (1e6, -1e6, "south", 0x3FF0000000000000),
    ];

    public static TheoryData<string> ReferenceNames => new() { "numeric", "mixed", "uninformative" };

    [Theory]
    [MemberData(nameof(ReferenceNames))]
    public async Task TrainAsync_ScikitLearnReference_CoefficientsAndInterceptMatch(string name)
    {
        var reference = Reference(name);
        var learner = new LogisticRegressionLearner(reference.L2, maxIterations: 1000, gradientTolerance: 1e-10);

        var trained = await learner.TrainAsync(reference.TrainingData(), CancellationToken.None);

        var model = trained.Predictor.Should().BeOfType<LogisticRegressionModel>().Subject;
        model.WeightNames.Should().Equal(reference.ColumnNames());
        model.Weights.Should().Equal(reference.Coefficients, (a, e) => Math.Abs(a - e) <= ReferenceTolerance);
        model.Intercept.Should().BeApproximately(reference.Intercept, ReferenceTolerance);
        trained.Description.Should().Contain("converged").And.NotContain("NOT");
    }

    [Theory]
    [MemberData(nameof(ReferenceNames))]
    public async Task TrainAsync_ScikitLearnReference_ProbabilitiesMatch(string name)
    {
        var reference = Reference(name);
        var data = reference.TrainingData();
        var learner = new LogisticRegressionLearner(reference.L2, maxIterations: 1000, gradientTolerance: 1e-10);

        var trained = await learner.TrainAsync(data, CancellationToken.None);

        var probabilities = data.Examples.Select(e => trained.Predictor.Predict(e.Prediction.Features).Score).ToArray();
        probabilities.Should().Equal(reference.Probabilities, (a, e) => Math.Abs(a - e) <= ReferenceTolerance);
    }

    [Theory]
    [MemberData(nameof(ReferenceNames))]
    public async Task TrainAsync_ScikitLearnReference_StandardisesLikeStandardScaler(string name)
    {
        var reference = Reference(name);

        var trained = await new LogisticRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);

        var encoding = ((LogisticRegressionModel)trained.Predictor).Encoding;
        encoding.Means.ToArray().Should().Equal(reference.Means, (a, e) => Math.Abs(a - e) <= 1e-12 * Math.Max(1.0, Math.Abs(e)));
        encoding.Scales.ToArray().Should().Equal(reference.Scales, (a, e) => Math.Abs(a - e) <= 1e-12 * Math.Max(1.0, Math.Abs(e)));
        encoding.Categories.Should().BeEquivalentTo(reference.Categories, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task TrainAsync_DefaultTolerance_CloseToScikitLearn()
    {
        // The default tolerance (1e-8) stops earlier: |θ - θ*| <= 1e-8 / 7.5e-4 ≈ 1.3e-5 on the worst-conditioned reference.
        var reference = Reference("mixed");

        var trained = await new LogisticRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);

        var model = (LogisticRegressionModel)trained.Predictor;
        model.Weights.Should().Equal(reference.Coefficients, (a, e) => Math.Abs(a - e) <= 1.5e-5);
        model.Intercept.Should().BeApproximately(reference.Intercept, 1.5e-5);
    }

    [Fact]
    public async Task TrainAsync_ConstantFeature_GetsScaleOneAndZeroWeight()
    {
        var reference = Reference("uninformative");

        var trained = await new LogisticRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);

        var model = (LogisticRegressionModel)trained.Predictor;
        var constant = reference.NumericNames.ToList().IndexOf("constant");
        model.Encoding.Scales[constant].Should().Be(1.0);
        model.Encoding.Means[constant].Should().Be(7.25);
        model.Weights[constant].Should().Be(0.0);
    }

    [Fact]
    public async Task TrainAsync_SeparableData_ReachesHighHoldoutAccuracy()
    {
        var train = Separable(1000, seed: 11);
        var holdout = Separable(1000, seed: 12);

        var trained = await new LogisticRegressionLearner().TrainAsync(train, CancellationToken.None);

        var correct = holdout.Examples.Count(e => trained.Predictor.Predict(e.Prediction.Features).Label == e.Label);
        ((double)correct / holdout.Examples.Count).Should().BeGreaterThan(0.92, "5% of the labels are flipped and the boundary is linear");
        var model = (LogisticRegressionModel)trained.Predictor;
        model.Weights[0].Should().BePositive();
        model.Weights[1].Should().BeApproximately(model.Weights[0], 0.2 * model.Weights[0], "the boundary is x0 + x1 = 0");
    }

    [Fact]
    public async Task TrainAsync_OneRowAt1e300_ModelAsGoodOnHoldoutAsWithoutIt()
    {
        // Before the fences, the row made the mean ~1e297 and the standard deviation overflow, every other row encoded to
        // the same value, and L-BFGS returned a constant model.
        var clean = Separable(1000, seed: 11);
        var examples = clean.Examples.ToList();
        examples[0] = Example(FeatureVector.Create(clean.Schema, [1e300, examples[0].Prediction.Features.Numeric[1]]), examples[0].Label);
        var holdout = Separable(1000, seed: 12);
        var learner = new LogisticRegressionLearner();

        var withOutlier = await learner.TrainAsync(clean with { Examples = examples }, CancellationToken.None);
        var without = await learner.TrainAsync(clean, CancellationToken.None);

        var accuracy = Accuracy(withOutlier.Predictor, holdout);
        accuracy.Should().BeGreaterThan(0.92).And.BeApproximately(Accuracy(without.Predictor, holdout), 0.02);
        var model = (LogisticRegressionModel)withOutlier.Predictor;
        model.Weights.Should().OnlyContain(w => w > 1.0, "both features still carry the boundary x0 + x1 = 0");
        model.Encoding.Means[0].Should().BeInRange(-0.1, 0.1, "the outlier counts as a value at the fence, not as 1e300");
        model.Encoding.UpperFences[0].Should().BeInRange(15.0, 25.0, "Q3 + 10·IQR of uniform(-2, 2) is 1 + 10·2");
        withOutlier.Description.Should().Contain("winsorised to their fences: 'x0' 1").And.Contain("converged").And.NotContain("NOT");
    }

    [Fact]
    public async Task TrainAsync_FewExtremeRowsOfBothSigns_FiniteEncodingAndAccurateModel()
    {
        var data = Separable(1000, seed: 21);
        var examples = data.Examples.ToList();
        (int Row, double X0, double X1)[] extremes = [(3, 1e308, -1e308), (40, -double.MaxValue, 0.5), (77, 0.25, double.MaxValue), (500, -1e300, 1e300)];
        foreach (var (row, x0, x1) in extremes)
        {
            examples[row] = Example(FeatureVector.Create(data.Schema, [x0, x1]), examples[row].Label);
        }

        var trained = await new LogisticRegressionLearner().TrainAsync(data with { Examples = examples }, CancellationToken.None);

        var model = (LogisticRegressionModel)trained.Predictor;
        model.Encoding.Means.ToArray().Should().OnlyContain(m => Math.Abs(m) < 0.2);
        model.Encoding.Scales.ToArray().Should().OnlyContain(s => s > 1.0 && s < 2.0);
        Accuracy(trained.Predictor, Separable(1000, seed: 22)).Should().BeGreaterThan(0.92);
        trained.Description.Should().Contain("'x0' 3, 'x1' 3");
    }

    [Fact]
    public async Task TrainAsync_EveryValueNear1e300_SameModelAsOnTheUnscaledData()
    {
        // No outlier: the whole feature lives near 1e300, so its sum of squares overflows (the standard deviation used to
        // become infinite and be replaced by 1, which made the feature useless).
        var data = Separable(500, seed: 31);
        var scaled = data.Examples
            .Select(e => Example(FeatureVector.Create(data.Schema, [e.Prediction.Features.Numeric[0] * 1e300, e.Prediction.Features.Numeric[1]]), e.Label))
            .ToList();
        var learner = new LogisticRegressionLearner();

        var reference = (LogisticRegressionModel)(await learner.TrainAsync(data, CancellationToken.None)).Predictor;
        var model = (LogisticRegressionModel)(await learner.TrainAsync(data with { Examples = scaled }, CancellationToken.None)).Predictor;

        model.Encoding.Scales[0].Should().BeApproximately(reference.Encoding.Scales[0] * 1e300, 1e-12 * reference.Encoding.Scales[0] * 1e300);
        model.Weights.Should().Equal(reference.Weights, (a, e) => Math.Abs(a - e) <= 1e-6);
        model.Intercept.Should().BeApproximately(reference.Intercept, 1e-6);
    }

    [Theory]
    [MemberData(nameof(ReferenceNames))]
    public async Task TrainAsync_ScikitLearnReference_NothingWinsorised(string name)
    {
        var reference = Reference(name);

        var trained = await new LogisticRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);

        trained.Description.Should().NotContain("winsorised");
        var encoding = ((LogisticRegressionModel)trained.Predictor).Encoding;
        for (var k = 0; k < reference.NumericNames.Count; k++)
        {
            var column = reference.Numeric.Select(row => row[k]).ToList();
            encoding.LowerFences[k].Should().BeLessThan(column.Min(), "the fence of '{0}' must not touch the reference data", reference.NumericNames[k]);
            encoding.UpperFences[k].Should().BeGreaterThan(column.Max(), "the fence of '{0}' must not touch the reference data", reference.NumericNames[k]);
        }
    }

    [Fact]
    public async Task TrainAsync_Result_ArtifactIsTheModelsArtifactAndDescriptionNamesSettings()
    {
        var trained = await new LogisticRegressionLearner(l2: 0.25).TrainAsync(Separable(200, seed: 1), CancellationToken.None);

        trained.Artifact.ToArray().Should().Equal(((LogisticRegressionModel)trained.Predictor).ToArtifact());
        trained.Description.Should().Contain("logistic regression").And.Contain("l2 = 0.25").And.Contain("200 examples").And.Contain("converged");
    }

    [Fact]
    public async Task TrainAsync_IterationLimitReached_ReturnsBestPointAndSaysNotConverged()
    {
        var reference = Reference("mixed");
        var learner = new LogisticRegressionLearner(reference.L2, maxIterations: 2);

        var trained = await learner.TrainAsync(reference.TrainingData(), CancellationToken.None);

        trained.Description.Should().Contain("did NOT converge").And.Contain("iteration limit (2)");
        var model = (LogisticRegressionModel)trained.Predictor;
        model.Weights.Should().OnlyContain(w => double.IsFinite(w));
        model.Weights.Zip(reference.Coefficients, (a, e) => Math.Abs(a - e)).Max().Should().BeGreaterThan(ReferenceTolerance, "two iterations do not reach the minimiser");
    }

    [Fact]
    public async Task TrainAsync_NoPenaltyOnSeparableData_ReturnsFiniteModelAndSaysNotConverged()
    {
        // Without a penalty the optimum of perfectly separable data lies at infinity.
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
        var examples = Enumerable.Range(0, 40)
            .Select(i => Example(FeatureVector.Create(schema, [i - 19.5]), i >= 20))
            .ToList();

        var trained = await new LogisticRegressionLearner(l2: 0.0, maxIterations: 30).TrainAsync(new ExampleSet(schema, examples), CancellationToken.None);

        trained.Description.Should().Contain("did NOT converge");
        var model = (LogisticRegressionModel)trained.Predictor;
        double.IsFinite(model.Weights[0]).Should().BeTrue();
        examples.Should().OnlyContain(e => trained.Predictor.Predict(e.Prediction.Features).Label == e.Label);
    }

    [Fact]
    public async Task TrainAsync_MissingNumericValues_ImputedWithTrainingMean()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("a", allowMissing: true).Numeric("b").Build();
        var random = new Random(5);
        var examples = new List<LabelledExample>();
        var observed = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var a = i % 4 == 0 ? double.NaN : 50.0 + (10.0 * random.NextDouble());
            var b = random.NextDouble();
            if (!double.IsNaN(a))
            {
                observed.Add(a);
            }

            examples.Add(Example(FeatureVector.Create(schema, [a, b]), random.NextDouble() < (double.IsNaN(a) ? 0.5 : (a - 50.0) / 10.0)));
        }

        var trained = await new LogisticRegressionLearner().TrainAsync(new ExampleSet(schema, examples), CancellationToken.None);

        var model = (LogisticRegressionModel)trained.Predictor;
        var mean = observed.Average();
        var populationSd = Math.Sqrt(observed.Sum(v => (v - mean) * (v - mean)) / observed.Count);
        model.Encoding.Means[0].Should().BeApproximately(mean, 1e-12);
        model.Encoding.Scales[0].Should().BeApproximately(populationSd, 1e-12);
        var missing = model.Predict(FeatureVector.Create(schema, [double.NaN, 0.3])).Score;
        var atMean = model.Predict(FeatureVector.Create(schema, [model.Encoding.Means[0], 0.3])).Score;
        missing.Should().Be(atMean);
        model.Predict(FeatureVector.Create(schema, [60.0, 0.3])).Score.Should().NotBe(missing);
    }

    [Fact]
    public async Task TrainAsync_NoEncodedColumn_FitsInterceptAloneAtTheLogOdds()
    {
        // A categorical feature that is always missing encodes to no column at all.
        var schema = FeatureSchema.CreateBuilder().Categorical("colour", allowMissing: true).Build();
        var examples = Enumerable.Range(0, 10).Select(i => Example(FeatureVector.Create(schema, [], [null]), i < 3)).ToList();
        var learner = new LogisticRegressionLearner();

        var trained = await learner.TrainAsync(new ExampleSet(schema, examples), CancellationToken.None);

        var model = (LogisticRegressionModel)trained.Predictor;
        model.Weights.Should().BeEmpty();
        model.Intercept.Should().BeApproximately(Math.Log(3.0 / 7.0), 1e-9);
        model.Predict(FeatureVector.Create(schema, [], ["red"])).Score.Should().BeApproximately(0.3, 1e-9);
        learner.Load(trained.Artifact.Span, schema).Predict(FeatureVector.Create(schema, [], [null])).Score
            .Should().Be(model.Predict(FeatureVector.Create(schema, [], [null])).Score);
    }

    [Fact]
    public async Task TrainAsync_NonBinaryLabel_RowRefusedByTheBinaryTrainingSet()
    {
        var data = Separable(10, seed: 3);
        var examples = data.Examples.ToList();
        examples[3] = examples[3] with { Label = Label.Numeric(1.0) };

        var act = () => new LogisticRegressionLearner().TrainAsync(data with { Examples = examples }, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<InvalidLabelException>().WithMessage("*Row 3*Binary labels, not Numeric*")).Which;
        error.Expected.Should().Be(LabelKind.Binary);
        error.Actual.Should().Be(LabelKind.Numeric);
    }

    [Fact]
    public async Task TrainAsync_MissingLabel_RowRefusedByTheTrainingSet()
    {
        var data = Separable(10, seed: 3);
        var examples = data.Examples.ToList();
        examples[7] = examples[7] with { Label = Label.None };

        var act = () => new LogisticRegressionLearner().TrainAsync(data with { Examples = examples }, CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*Row 7*Binary labels, not None*");
    }

    [Fact]
    public async Task TrainAsync_TrainingSetOfAnotherTask_ThrowsNamingTheTask()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
        var data = TrainingSet.CreateBuilder(schema, ModelTask.Regression)
            .Add(FeatureVector.Create(schema, [1.0]), Label.Numeric(1.0))
            .Add(FeatureVector.Create(schema, [2.0]), Label.Numeric(2.0))
            .Build();

        var act = () => new LogisticRegressionLearner().TrainAsync(data, CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*learns binary tasks*regression task*");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TrainAsync_SingleClass_ThrowsArgumentException(bool label)
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
        var examples = Enumerable.Range(0, 5).Select(i => Example(FeatureVector.Create(schema, [(double)i]), label)).ToList();

        var act = () => new LogisticRegressionLearner().TrainAsync(new ExampleSet(schema, examples), CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage($"*All 5 examples have the label {(label ? "true" : "false")}*both classes*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task TrainAsync_FewerThanTwoExamples_ThrowsArgumentException(int count)
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
        var examples = Enumerable.Range(0, count).Select(i => Example(FeatureVector.Create(schema, [1.0]), true)).ToList();

        var act = () => new LogisticRegressionLearner().TrainAsync(new ExampleSet(schema, examples), CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage($"*at least 2 examples; got {count}*");
    }

    [Fact]
    public async Task TrainAsync_NaNWhereSchemaForbidsMissing_ThrowsArgumentExceptionNamingExampleAndFeature()
    {
        var data = Separable(10, seed: 4);
        var examples = data.Examples.ToList();
        var unfinished = data.Schema.CreateVector().Set("x0", 1.0);
        examples[2] = examples[2] with { Prediction = Example(unfinished, true).Prediction };

        var act = () => new LogisticRegressionLearner().TrainAsync(data with { Examples = examples }, CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*Row 2*'x1' is NaN*allowMissing*");
    }

    [Fact]
    public async Task TrainAsync_NullCategoryWhereSchemaForbidsMissing_ThrowsArgumentExceptionNamingExampleAndFeature()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Categorical("colour").Build();
        var examples = Enumerable.Range(0, 6)
            .Select(i => Example(FeatureVector.Create(schema, [(double)i], [i % 2 == 0 ? "red" : "blue"]), i % 2 == 0))
            .ToList();
        examples[4] = Example(schema.CreateVector().Set("x", 4.0), true);

        var act = () => new LogisticRegressionLearner().TrainAsync(new ExampleSet(schema, examples), CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*Row 4*'colour'*null*");
    }

    [Fact]
    public async Task TrainAsync_ExampleOfAnotherSchema_ThrowsArgumentExceptionNamingTheExample()
    {
        var data = Separable(10, seed: 4);
        var other = FeatureSchema.CreateBuilder().Numeric("x0").Numeric("z").Build();
        var examples = data.Examples.ToList();
        examples[5] = Example(FeatureVector.Create(other, [1.0, 2.0]), true);

        var act = () => new LogisticRegressionLearner().TrainAsync(data with { Examples = examples }, CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*Row 5 follows schema*");
    }

    [Fact]
    public async Task TrainAsync_NullData_ThrowsArgumentNullException()
    {
        var act = () => new LogisticRegressionLearner().TrainAsync(null!, CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentNullException>().WithParameterName("data");
    }

    [Fact]
    public async Task TrainAsync_CancelledBeforeStart_ThrowsOperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = () => new LogisticRegressionLearner().TrainAsync(Separable(100, seed: 2), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task TrainAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        TrainingSet data = Separable(100, seed: 2);
        await cts.CancelAsync();

        var act = () => new LogisticRegressionLearner().TrainAsync(data, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [InlineData(-1e-3, 500, 1e-8, "l2")]
    [InlineData(double.NaN, 500, 1e-8, "l2")]
    [InlineData(double.PositiveInfinity, 500, 1e-8, "l2")]
    [InlineData(1e-3, 0, 1e-8, "maxIterations")]
    [InlineData(1e-3, -5, 1e-8, "maxIterations")]
    [InlineData(1e-3, 500, 0.0, "gradientTolerance")]
    [InlineData(1e-3, 500, -1e-8, "gradientTolerance")]
    [InlineData(1e-3, 500, double.NaN, "gradientTolerance")]
    [InlineData(1e-3, 500, double.PositiveInfinity, "gradientTolerance")]
    public void Constructor_OutOfRangeArgument_ThrowsArgumentOutOfRangeException(double l2, int maxIterations, double tolerance, string parameter)
    {
        var act = () => new LogisticRegressionLearner(l2, maxIterations, tolerance);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter).WithMessage("*must*");
    }

    [Fact]
    public void Constructor_ZeroPenalty_Accepted()
    {
        new LogisticRegressionLearner(l2: 0.0).L2.Should().Be(0.0);
    }

    [Fact]
    public void LearnersLogisticRegression_Defaults_AreDocumentedValues()
    {
        var learner = Learners.LogisticRegression();

        learner.L2.Should().Be(1e-3);
        learner.MaxIterations.Should().Be(500);
        learner.GradientTolerance.Should().Be(1e-8);
    }

    [Fact]
    public void LearnersLogisticRegression_Arguments_PassedThroughAndValidated()
    {
        var learner = Learners.LogisticRegression(l2: 0.5, maxIterations: 7, gradientTolerance: 1e-6);

        learner.L2.Should().Be(0.5);
        learner.MaxIterations.Should().Be(7);
        learner.GradientTolerance.Should().Be(1e-6);
        var act = () => Learners.LogisticRegression(l2: -1.0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("l2");
    }

    [Fact]
    public async Task Load_OwnArtifact_RestoresBitIdenticalModel()
    {
        var reference = Reference("mixed");
        var data = reference.TrainingData();
        var learner = new LogisticRegressionLearner(reference.L2);
        var trained = await learner.TrainAsync(data, CancellationToken.None);

        var loaded = learner.Load(trained.Artifact.Span, reference.Schema());

        var original = (LogisticRegressionModel)trained.Predictor;
        var restored = loaded.Should().BeOfType<LogisticRegressionModel>().Subject;
        restored.Weights.Select(BitConverter.DoubleToInt64Bits).Should().Equal(original.Weights.Select(BitConverter.DoubleToInt64Bits));
        BitConverter.DoubleToInt64Bits(restored.Intercept).Should().Be(BitConverter.DoubleToInt64Bits(original.Intercept));
        restored.WeightNames.Should().Equal(original.WeightNames);
        restored.Threshold.Should().Be(0.5);
        var probes = data.Examples.Select(e => e.Prediction.Features)
            .Append(FeatureVector.Create(restored.Schema, [0.5, 2.0], ["west"]))
            .ToList();
        foreach (var features in probes)
        {
            var expected = original.Predict(FeatureVector.Create(original.Schema, features.Numeric, features.Categorical));
            var actual = restored.Predict(features);
            BitConverter.DoubleToInt64Bits(actual.Score).Should().Be(BitConverter.DoubleToInt64Bits(expected.Score));
            actual.Label.Should().Be(expected.Label);
        }

        restored.ToArtifact().Should().Equal(trained.Artifact.ToArray(), "writing a loaded model gives the same bytes");
    }

    [Fact]
    public void Load_Version1Artifact_ScoresAsTheBuildThatWroteItAndRewritesAsVersion2()
    {
        var schema = Reference("mixed").Schema();
        var learner = new LogisticRegressionLearner();

        var model = learner.Load(Convert.FromBase64String(Version1Artifact), schema).Should().BeOfType<LogisticRegressionModel>().Subject;

        foreach (var (x1, x2, region, bits) in Version1Probes)
        {
            BitConverter.DoubleToInt64Bits(model.Predict(FeatureVector.Create(schema, [x1, x2], [region])).Score).Should().Be(bits);
        }

        model.Encoding.LowerFences.ToArray().Should().OnlyContain(f => double.IsNegativeInfinity(f));
        model.Encoding.UpperFences.ToArray().Should().OnlyContain(f => double.IsPositiveInfinity(f));
        model.Predict(FeatureVector.Create(schema, [1e308, -1e308], ["east"])).Score.Should().BeInRange(0.0, 1.0);
        var rewritten = model.ToArtifact();
        BinaryPrimitives.ReadInt32LittleEndian(rewritten.AsSpan(4)).Should().Be(2);
        var reloaded = (LogisticRegressionModel)learner.Load(rewritten, schema);
        reloaded.Encoding.UpperFences.ToArray().Should().OnlyContain(f => double.IsPositiveInfinity(f));
        foreach (var (x1, x2, region, bits) in Version1Probes)
        {
            BitConverter.DoubleToInt64Bits(reloaded.Predict(FeatureVector.Create(schema, [x1, x2], [region])).Score).Should().Be(bits);
        }
    }

    [Theory]
    [InlineData(double.NaN, 1.0, "NaN, 1")]
    [InlineData(2.0, 1.0, "2, 1")]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity, "Infinity, Infinity")]
    [InlineData(double.NegativeInfinity, double.NegativeInfinity, "-Infinity, -Infinity")]
    public async Task Load_InvalidFencesWithValidChecksum_ThrowsFormatException(double lower, double upper, string shown)
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);
        BinaryPrimitives.WriteDoubleLittleEndian(body.AsSpan(FirstMeanOffset(schema) + 16), lower);
        BinaryPrimitives.WriteDoubleLittleEndian(body.AsSpan(FirstMeanOffset(schema) + 24), upper);

        var act = () => learner.Load(Seal(body), schema);

        act.Should().Throw<FormatException>().WithMessage($"*'income' has the fences [{shown}]*ordered*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(-1)]
    [InlineData(-33)]
    [InlineData(-60)]
    public async Task Load_TruncatedArtifact_ThrowsFormatException(int length)
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var cut = artifact[..(length >= 0 ? length : artifact.Length + length)];

        var act = () => learner.Load(cut, schema);

        act.Should().Throw<FormatException>().WithMessage("*logistic regression artifact is invalid*truncated*");
    }

    [Fact]
    public async Task Load_WrongMagic_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        artifact[0] = (byte)'X';

        var act = () => learner.Load(artifact, schema);

        act.Should().Throw<FormatException>().WithMessage("*magic bytes \"FLLR\"*not a logistic regression artifact*");
    }

    [Fact]
    public async Task Load_OtherFormatVersion_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        artifact[4] = 3;

        var act = () => learner.Load(artifact, schema);

        act.Should().Throw<FormatException>().WithMessage("*format version is 3*supports versions 1 and 2*");
    }

    [Theory]
    [InlineData(12)]
    [InlineData(60)]
    [InlineData(-40)]
    [InlineData(-1)]
    public async Task Load_FlippedByte_ThrowsFormatExceptionOnChecksum(int offset)
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        artifact[offset >= 0 ? offset : artifact.Length + offset] ^= 0x10;

        var act = () => learner.Load(artifact, schema);

        act.Should().Throw<FormatException>().WithMessage("*SHA-256 checksum does not match*corrupt*");
    }

    [Fact]
    public async Task Load_NonPositiveScaleWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);
        BinaryPrimitives.WriteDoubleLittleEndian(body.AsSpan(FirstMeanOffset(schema) + 8), 0.0);

        var act = () => learner.Load(Seal(body), schema);

        act.Should().Throw<FormatException>().WithMessage("*'income'*scale 0*positive*");
    }

    [Fact]
    public async Task Load_WeightCountMismatchWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);
        var weightCountOffset = FirstMeanOffset(schema) + (NumericFeatureBytes * schema.NumericCount);
        BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(weightCountOffset)).Should().Be(3, "the test must point at the weight count");
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(weightCountOffset), 4);

        var act = () => learner.Load(Seal(body), schema);

        act.Should().Throw<FormatException>().WithMessage("*holds 4 weights but its features encode to 3 columns*");
    }

    [Fact]
    public async Task Load_ImpossibleCountWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(FirstMeanOffset(schema) + (NumericFeatureBytes * schema.NumericCount)), int.MaxValue);

        var act = () => learner.Load(Seal(body), schema);

        act.Should().Throw<FormatException>().WithMessage("*weight count 2147483647 does not fit*truncated*");
    }

    [Fact]
    public async Task Load_TruncatedBodyWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);

        var act = () => learner.Load(Seal(body[..^4]), schema);

        act.Should().Throw<FormatException>().WithMessage("*ends before the model does (truncated)*");
    }

    [Fact]
    public async Task Load_TrailingBytesWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();

        var act = () => learner.Load(Seal([.. Body(artifact), 0, 0]), schema);

        act.Should().Throw<FormatException>().WithMessage("*2 unexpected bytes follow the model*");
    }

    [Fact]
    public async Task Load_NonFiniteWeightWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);
        BinaryPrimitives.WriteDoubleLittleEndian(body.AsSpan(body.Length - 24), double.NaN);

        var act = () => learner.Load(Seal(body), schema);

        act.Should().Throw<FormatException>().WithMessage("*weight or the intercept is not finite*");
    }

    [Fact]
    public async Task Load_ThresholdOutsideUnitIntervalWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);
        BinaryPrimitives.WriteDoubleLittleEndian(body.AsSpan(body.Length - 8), 1.5);

        var act = () => learner.Load(Seal(body), schema);

        act.Should().Throw<FormatException>().WithMessage("*threshold 1.5 is outside [0, 1]*");
    }

    [Fact]
    public async Task Load_UnknownKindCodeWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);
        body[12 + 4 + "income".Length] = 7;

        var act = () => learner.Load(Seal(body), schema);

        act.Should().Throw<FormatException>().WithMessage("*feature 0 has the unknown kind code 7*");
    }

    [Fact]
    public async Task Load_InvalidUtf8NameWithValidChecksum_ThrowsFormatException()
    {
        var (learner, schema, artifact) = await TrainNumericAsync();
        var body = Body(artifact);
        body[12 + 4] = 0xFF;

        var act = () => learner.Load(Seal(body), schema);

        act.Should().Throw<FormatException>().WithMessage("*not valid UTF-8*");
    }

    [Fact]
    public async Task Load_CategoriesOutOfOrderWithValidChecksum_ThrowsFormatException()
    {
        var reference = Reference("mixed");
        var learner = new LogisticRegressionLearner(reference.L2);
        var trained = await learner.TrainAsync(reference.TrainingData(), CancellationToken.None);
        var body = Body(trained.Artifact.ToArray());
        var at = body.AsSpan().IndexOf("east"u8);
        "zast"u8.CopyTo(body.AsSpan(at));

        var act = () => learner.Load(Seal(body), reference.Schema());

        act.Should().Throw<FormatException>().WithMessage("*categories of 'region' are not distinct and in ordinal order*");
    }

    public static TheoryData<string, string> OtherSchemas => new()
    {
        { "renamed", "*feature 1 is 'debt_ratio' (Numeric) in the artifact but 'debt' (Numeric) in the schema*" },
        { "other kind", "*feature 2 is 'age' (Numeric) in the artifact but 'age' (Categorical) in the schema*" },
        { "reordered", "*feature 0 is 'income' (Numeric) in the artifact but 'age' (Numeric) in the schema*" },
        { "extra feature", "*trained on 3 features [income:Numeric, debt_ratio:Numeric, age:Numeric] but the schema has 4*" },
        { "fewer features", "*trained on 3 features*but the schema has 2 [income:Numeric, debt_ratio:Numeric]*" },
    };

    [Theory]
    [MemberData(nameof(OtherSchemas))]
    public async Task Load_OtherSchema_ThrowsFormatExceptionNamingTheDifference(string change, string message)
    {
        var (learner, _, artifact) = await TrainNumericAsync();
        var builder = FeatureSchema.CreateBuilder();
        _ = change switch
        {
            "renamed" => builder.Numeric("income").Numeric("debt").Numeric("age"),
            "other kind" => builder.Numeric("income").Numeric("debt_ratio").Categorical("age"),
            "reordered" => builder.Numeric("age").Numeric("income").Numeric("debt_ratio"),
            "extra feature" => builder.Numeric("income").Numeric("debt_ratio").Numeric("age").Numeric("extra"),
            _ => builder.Numeric("income").Numeric("debt_ratio"),
        };

        var act = () => learner.Load(artifact, builder.Build());

        act.Should().Throw<FormatException>().WithMessage(message);
    }

    [Fact]
    public async Task Load_SchemaDifferingOnlyInAllowMissing_Accepted()
    {
        var (learner, _, artifact) = await TrainNumericAsync();
        var schema = FeatureSchema.CreateBuilder().Numeric("income", allowMissing: true).Numeric("debt_ratio").Numeric("age").Build();

        var model = learner.Load(artifact, schema);

        model.Predict(FeatureVector.Create(schema, [double.NaN, 0.2, 40.0])).Score.Should().BeInRange(0.0, 1.0);
    }

    [Fact]
    public void Load_NullSchema_ThrowsArgumentNullException()
    {
        var act = () => new LogisticRegressionLearner().Load([1, 2, 3], null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("schema");
    }

    private static async Task<(LogisticRegressionLearner Learner, FeatureSchema Schema, byte[] Artifact)> TrainNumericAsync()
    {
        var reference = Reference("numeric");
        var learner = new LogisticRegressionLearner(reference.L2);
        var trained = await learner.TrainAsync(reference.TrainingData(), CancellationToken.None);
        return (learner, reference.Schema(), trained.Artifact.ToArray());
    }

    private static double Accuracy(IPredictor predictor, ExampleSet holdout) =>
        (double)holdout.Examples.Count(e => predictor.Predict(e.Prediction.Features).Label == e.Label) / holdout.Examples.Count;

    private static byte[] Body(byte[] artifact) => artifact[..^32];

    private static byte[] Seal(byte[] body) => [.. body, .. SHA256.HashData(body)];

    /// <summary>Magic, version and feature count (12 bytes), then per feature an int32 length, the UTF-8 name and a kind byte.</summary>
    private static int FirstMeanOffset(FeatureSchema schema) =>
        12 + schema.Features.Sum(f => 4 + Encoding.UTF8.GetByteCount(f.Name) + 1);

    /// <summary>Cancels its token when the training loop first reads its last example.</summary>
}
