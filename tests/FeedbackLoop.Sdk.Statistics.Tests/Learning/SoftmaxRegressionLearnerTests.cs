using System.Security.Cryptography;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using static FeedbackLoop.Tests.Learning.LinearModelTestData;

namespace FeedbackLoop.Tests.Learning;

public sealed class SoftmaxRegressionLearnerTests
{
    // Both sides minimise the same objective J (see SoftmaxRegressionLearner), strictly convex once the intercepts are
    // centred; the reference sits at its minimiser to ~1e-11 (Newton steps on J written out in the generating script do
    // not move it further). The learner trains to a 1e-9 gradient norm, so 1e-6 absolute leaves room for the
    // ill-conditioning of one-hot columns without hiding a wrong objective.
    private const double ReferenceTolerance = 1e-6;

    public static TheoryData<string> Names => ReferenceNames;

    [Theory]
    [MemberData(nameof(Names))]
    public async Task TrainAsync_ScikitLearnReference_CoefficientsAndInterceptsMatch(string name)
    {
        var reference = SoftmaxCase(name);

        var trained = await Precise(reference).TrainAsync(reference.TrainingData(), CancellationToken.None);

        var model = trained.Predictor.Should().BeOfType<SoftmaxRegressionModel>().Subject;
        model.Task.Should().Be(reference.Task);
        model.WeightNames.Should().Equal(reference.ColumnNames());
        for (var k = 0; k < reference.Classes.Count; k++)
        {
            var learned = reference.LearnedClasses.ToList().IndexOf(reference.Classes[k]);
            if (learned < 0)
            {
                model.Intercepts[k].Should().Be(double.NegativeInfinity, "class '{0}' has no example", reference.Classes[k]);
                model.Weights[k].Should().OnlyContain(w => w == 0.0);
                continue;
            }

            model.Weights[k].Should().Equal(reference.Coefficients[learned], (a, e) => Math.Abs(a - e) <= ReferenceTolerance);
            model.Intercepts[k].Should().BeApproximately(reference.Intercepts[learned], ReferenceTolerance);
        }

        trained.Description.Should().Contain("converged").And.NotContain("NOT");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task TrainAsync_ScikitLearnReference_ProbabilitiesMatchInTheTasksClassOrder(string name)
    {
        var reference = SoftmaxCase(name);
        var schema = reference.Schema();

        var trained = await Precise(reference).TrainAsync(reference.TrainingData(), CancellationToken.None);

        for (var i = 0; i < reference.Labels.Count; i++)
        {
            var output = trained.Predictor.Predict(reference.Row(schema, i));
            var expected = reference.Classes
                .Select(c => reference.LearnedClasses.ToList().IndexOf(c) is var k and >= 0 ? reference.Probabilities[i][k] : 0.0)
                .ToArray();
            output.Probabilities.ToArray().Should().Equal(expected, (a, e) => Math.Abs(a - e) <= ReferenceTolerance);
            output.Label.AsCategory().Should().Be(reference.Classes[Array.IndexOf(expected, expected.Max())]);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task TrainAsync_ScikitLearnReference_StandardisesLikeStandardScaler(string name)
    {
        var reference = SoftmaxCase(name);

        var trained = await new SoftmaxRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);

        var encoding = ((SoftmaxRegressionModel)trained.Predictor).Encoding;
        encoding.Means.ToArray().Should().Equal(reference.Means, (a, e) => Math.Abs(a - e) <= 1e-12 * Math.Max(1.0, Math.Abs(e)));
        encoding.Scales.ToArray().Should().Equal(reference.Scales, (a, e) => Math.Abs(a - e) <= 1e-12 * Math.Max(1.0, Math.Abs(e)));
        encoding.Categories.Should().BeEquivalentTo(reference.Categories, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task TrainAsync_ClassWithoutExamples_ProbabilityZeroAndDescriptionNamesIt()
    {
        var reference = SoftmaxCase("weighted");

        var trained = await new SoftmaxRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);

        trained.Predictor.Predict(reference.Row(reference.Schema(), 0)).Probabilities[3].Should().Be(0.0);
        trained.Description.Should().Contain("no example with weight of 'never': probability 0");
    }

    [Fact]
    public async Task TrainAsync_WeightsNearTheDoubleRange_SameModelAsTheSameWeightsScaledDown()
    {
        // Weights of 1e308 sum past the double range; the objective divides by the total weight, so scaling them all by
        // one factor changes nothing, and the learner trains on them divided by the largest.
        var reference = SoftmaxCase("weighted");
        var schema = reference.Schema();
        var huge = TrainingSet.CreateBuilder(schema, reference.Task);
        var small = TrainingSet.CreateBuilder(schema, reference.Task);
        for (var i = 0; i < reference.Labels.Count; i++)
        {
            huge.Add(reference.Row(schema, i), Label.Categorical(reference.Labels[i]), reference.Weights[i] / 3.0 * 1e308);
            small.Add(reference.Row(schema, i), Label.Categorical(reference.Labels[i]), reference.Weights[i] / 3.0);
        }

        var learner = new SoftmaxRegressionLearner(reference.L2);
        var fromHuge = (SoftmaxRegressionModel)(await learner.TrainAsync(huge.Build(), CancellationToken.None)).Predictor;
        var fromSmall = (SoftmaxRegressionModel)(await learner.TrainAsync(small.Build(), CancellationToken.None)).Predictor;

        fromHuge.Intercepts.Should().Equal(fromSmall.Intercepts, (a, e) => Math.Abs(a - e) <= 1e-9 || a == e);
        fromHuge.Weights[0].Should().Equal(fromSmall.Weights[0], (a, e) => Math.Abs(a - e) <= 1e-9);
    }

    [Fact]
    public async Task Predict_EveryTrainedClassOverflowingDownwards_TheTrainedClassesShareTheProbability()
    {
        // A crafted artifact: every trained class weighs the first feature -1e308, so an input far above its mean makes
        // every linear predictor -∞; the classes the model was trained on share the probability, the untrained one gets 0.
        var reference = SoftmaxCase("weighted");
        var schema = reference.Schema();
        var model = (SoftmaxRegressionModel)(await new SoftmaxRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None)).Predictor;
        var body = model.ToArtifact()[..^32];
        const int Columns = 3;
        var classBlock = 1 + ((Columns + 1) * sizeof(double));
        var parameters = body.Length - (3 * classBlock) - 1;
        for (var k = 0; k < 3; k++)
        {
            BitConverter.GetBytes(-1e308).CopyTo(body, parameters + (k * classBlock) + 1);
        }

        var crafted = new SoftmaxRegressionLearner().Load(Seal(body), schema);

        var output = crafted.Predict(FeatureVector.Create(schema, [1e300, 0.0, 7.25]));

        output.Probabilities.ToArray().Should().Equal(1 / 3.0, 1 / 3.0, 1 / 3.0, 0.0);
    }

    [Fact]
    public async Task Load_Artifact_RestoresBitIdenticalPredictions()
    {
        var reference = SoftmaxCase("mixed");
        var schema = reference.Schema();
        var learner = new SoftmaxRegressionLearner(reference.L2);
        var trained = await learner.TrainAsync(reference.TrainingData(), CancellationToken.None);

        var restored = learner.Load(new MemoryStream(trained.Artifact.ToArray()), schema);

        restored.Task.Should().Be(reference.Task);
        for (var i = 0; i < reference.Labels.Count; i++)
        {
            restored.Predict(reference.Row(schema, i)).Should().Be(trained.Predictor.Predict(reference.Row(schema, i)));
        }

        ((SoftmaxRegressionModel)restored).ToArtifact().Should().Equal(trained.Artifact.ToArray());
    }

    [Fact]
    public async Task Load_ArtifactWithAnUntrainedClass_KeepsItAtProbabilityZero()
    {
        var reference = SoftmaxCase("weighted");
        var learner = new SoftmaxRegressionLearner(reference.L2);
        var trained = await learner.TrainAsync(reference.TrainingData(), CancellationToken.None);

        var restored = (SoftmaxRegressionModel)learner.Load(trained.Artifact.Span, reference.Schema());

        restored.Intercepts[3].Should().Be(double.NegativeInfinity);
        restored.Predict(reference.Row(reference.Schema(), 5)).Probabilities[3].Should().Be(0.0);
    }

    [Fact]
    public async Task Predict_ExtremeInputs_ReturnsAProbabilityDistribution()
    {
        var reference = SoftmaxCase("mixed");
        var schema = reference.Schema();
        var trained = await new SoftmaxRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);

        foreach (var (x1, x2) in new[] { (1e308, -1e308), (-1e308, 1e308), (double.MaxValue, double.MaxValue), (0.0, 0.0) })
        {
            var output = trained.Predictor.Predict(FeatureVector.Create(schema, [x1, x2], ["unseen"]));

            output.Probabilities.ToArray().Should().OnlyContain(p => p >= 0.0 && p <= 1.0);
            output.Probabilities.ToArray().Sum().Should().BeApproximately(1.0, 1e-12);
        }
    }

    [Fact]
    public async Task Predict_VectorOfAnotherSchema_ThrowsArgumentException()
    {
        var reference = SoftmaxCase("numeric");
        var trained = await new SoftmaxRegressionLearner(reference.L2).TrainAsync(reference.TrainingData(), CancellationToken.None);
        var other = FeatureSchema.CreateBuilder().Numeric("a").Build();

        var act = () => trained.Predictor.Predict(FeatureVector.Create(other, [1.0]));

        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("*follows schema*trained on*");
    }

    [Fact]
    public async Task TrainAsync_TrainingSetOfAnotherTask_ThrowsNamingTheTask()
    {
        var act = () => new SoftmaxRegressionLearner().TrainAsync(RidgeCase("numeric").TrainingData(), CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*learns multiclass tasks*regression task*");
    }

    [Fact]
    public void TrainingSet_LabelOfTheWrongTaskOrAnUndeclaredClass_RefusedWithTheRow()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
        var set = TrainingSet.CreateBuilder(schema, ModelTask.Multiclass("a", "b"));

        var wrongTask = () => set.Add(FeatureVector.Create(schema, [1.0]), Label.Binary(true));
        var undeclared = () => set.Add(FeatureVector.Create(schema, [1.0]), Label.Categorical("c"));

        wrongTask.Should().Throw<InvalidLabelException>().WithMessage("*Categorical labels, not Binary*");
        undeclared.Should().Throw<ArgumentException>().WithMessage("*'c' is not one of the task's classes*");
    }

    [Theory]
    [InlineData(new[] { "a", "a", "a" }, new[] { 1.0, 1.0, 1.0 }, "only 'a'")]
    [InlineData(new[] { "a", "b", "b" }, new[] { 0.0, 1.0, 1.0 }, "only 'b'")]
    public async Task TrainAsync_FewerThanTwoClassesWithWeight_ThrowsArgumentException(string[] labels, double[] weights, string shown)
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
        var set = TrainingSet.CreateBuilder(schema, ModelTask.Multiclass("a", "b", "c"));
        for (var i = 0; i < labels.Length; i++)
        {
            set.Add(FeatureVector.Create(schema, [i]), Label.Categorical(labels[i]), weights[i]);
        }

        var act = () => new SoftmaxRegressionLearner().TrainAsync(set.Build(), CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage($"*at least two classes*{shown}*");
    }

    [Fact]
    public async Task TrainAsync_FewerThanTwoExamples_ThrowsArgumentException()
    {
        var schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
        var data = TrainingSet.CreateBuilder(schema, ModelTask.Multiclass("a", "b")).Add(FeatureVector.Create(schema, [1.0]), Label.Categorical("a")).Build();

        var act = () => new SoftmaxRegressionLearner().TrainAsync(data, CancellationToken.None);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*at least 2 examples; got 1*");
    }

    [Fact]
    public async Task TrainAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var act = () => new SoftmaxRegressionLearner().TrainAsync(SoftmaxCase("numeric").TrainingData(), cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task TrainAsync_IterationLimitReached_SaysNotConverged()
    {
        var reference = SoftmaxCase("mixed");

        var trained = await new SoftmaxRegressionLearner(reference.L2, maxIterations: 2).TrainAsync(reference.TrainingData(), CancellationToken.None);

        trained.Description.Should().Contain("did NOT converge").And.Contain("iteration limit (2)");
    }

    [Theory]
    [InlineData(-1e-3, 500, 1e-8, "l2")]
    [InlineData(double.NaN, 500, 1e-8, "l2")]
    [InlineData(1e-3, 0, 1e-8, "maxIterations")]
    [InlineData(1e-3, 500, 0.0, "gradientTolerance")]
    public void Constructor_OutOfRangeArgument_ThrowsArgumentOutOfRangeException(double l2, int maxIterations, double tolerance, string parameter)
    {
        var act = () => Learners.SoftmaxRegression(l2, maxIterations, tolerance);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
    }

    [Fact]
    public async Task Load_CorruptTruncatedOrForeignArtifacts_ThrowFormatExceptionSayingWhy()
    {
        var reference = SoftmaxCase("numeric");
        var schema = reference.Schema();
        var learner = new SoftmaxRegressionLearner(reference.L2);
        var artifact = (await learner.TrainAsync(reference.TrainingData(), CancellationToken.None)).Artifact.ToArray();
        var flipped = artifact.ToArray();
        flipped[40] ^= 0x10;
        var binary = TrainingSet.CreateBuilder(schema, ModelTask.Binary);
        for (var i = 0; i < 20; i++)
        {
            binary.Add(reference.Row(schema, i), Label.Binary(i % 2 == 0));
        }

        var logistic = (await Learners.LogisticRegression().TrainAsync(binary.Build(), CancellationToken.None)).Artifact.ToArray();
        var otherSchema = FeatureSchema.CreateBuilder().Numeric("income").Numeric("ratio").Numeric("height").Build();

        FluentActions.Invoking(() => learner.Load(artifact.AsSpan(0, artifact.Length - 5), schema)).Should().Throw<FormatException>().WithMessage("*softmax regression artifact is invalid*checksum*");
        FluentActions.Invoking(() => learner.Load(artifact.AsSpan(0, 10), schema)).Should().Throw<FormatException>().WithMessage("*only 10 bytes long*");
        FluentActions.Invoking(() => learner.Load(flipped, schema)).Should().Throw<FormatException>().WithMessage("*SHA-256 checksum does not match*");
        FluentActions.Invoking(() => learner.Load(logistic, schema)).Should().Throw<FormatException>().WithMessage("*magic bytes \"FLSM\"*not a softmax regression artifact*");
        FluentActions.Invoking(() => learner.Load(artifact, otherSchema)).Should().Throw<FormatException>().WithMessage("*feature 2 is 'age'*'height'*");
    }

    [Fact]
    public async Task Load_CraftedParametersWithValidChecksum_ThrowFormatException()
    {
        var reference = SoftmaxCase("numeric");
        var schema = reference.Schema();
        var learner = new SoftmaxRegressionLearner(reference.L2);
        var model = (SoftmaxRegressionModel)(await learner.TrainAsync(reference.TrainingData(), CancellationToken.None)).Predictor;
        var body = model.ToArtifact()[..^32];

        // The parameters follow the encoding: int32 class count 3, three strings, int32 column count 3, then per class a flag byte, 3 weights and an intercept.
        var firstFlag = body.Length - (3 * (1 + (4 * 8)));
        var unknownFlag = body.ToArray();
        unknownFlag[firstFlag] = 7;
        var oneTrained = body[..firstFlag].Concat(new byte[] { 1 }).Concat(body[(firstFlag + 1)..(firstFlag + 33)]).Concat(new byte[] { 0, 0 }).ToArray();

        FluentActions.Invoking(() => learner.Load(Seal(unknownFlag), schema)).Should().Throw<FormatException>().WithMessage("*class 'low' has the unknown trained flag 7*");
        FluentActions.Invoking(() => learner.Load(Seal(oneTrained), schema)).Should().Throw<FormatException>().WithMessage("*fewer than two of its classes were trained*");
        FluentActions.Invoking(() => learner.Load(Seal(body[..^3]), schema)).Should().Throw<FormatException>().WithMessage("*truncated*");
        FluentActions.Invoking(() => learner.Load(Seal([.. body, 1, 2]), schema)).Should().Throw<FormatException>().WithMessage("*2 unexpected bytes follow the model*");
    }

    private static SoftmaxRegressionLearner Precise(SoftmaxReference reference) => new(reference.L2, maxIterations: 5000, gradientTolerance: 1e-9);

    private static byte[] Seal(byte[] body) => [.. body, .. SHA256.HashData(body)];
}
