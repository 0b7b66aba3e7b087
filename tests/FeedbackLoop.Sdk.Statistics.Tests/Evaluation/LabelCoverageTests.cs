using FeedbackLoop.Evaluation;

namespace FeedbackLoop.Tests.Evaluation;

public sealed class LabelCoverageTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.CreateBuilder().Numeric("x").Build();
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compute_Window_CountsCoverageDelaysKindsAndSources()
    {
        Prediction[] predictions = Enumerable.Range(0, 5).Select(i => Predict(Start.AddMinutes(i))).ToArray();
        Feedback[] feedback =
        [
            Feedback.GroundTruth(predictions[0].Id, true, Start.AddMinutes(10)),
            Feedback.GroundTruth(predictions[0].Id, true, Start.AddMinutes(60)), // a later duplicate: the first label counts
            Feedback.Correction(predictions[1].Id, false, "alice", Start.AddMinutes(1 + 20)),
            Feedback.GroundTruth(predictions[2].Id, false, Start.AddMinutes(2 + 40)),
            Feedback.Rating(predictions[3].Id, 4, "app", Start.AddMinutes(5)), // not a label
            Feedback.GroundTruth(PredictionId.New(), true, Start), // for a prediction outside the window
        ];

        LabelCoverageReport report = LabelCoverage.Compute(predictions, feedback);

        report.Predictions.Should().Be(5);
        report.Labelled.Should().Be(3);
        report.Coverage.Should().BeApproximately(0.6, 1e-15);
        report.UnmatchedFeedback.Should().Be(1);
        report.LabelsBeforePrediction.Should().Be(0);
        report.FeedbackByKind.Should().BeEquivalentTo(new Dictionary<FeedbackKind, int>
        {
            [FeedbackKind.GroundTruth] = 3, [FeedbackKind.HumanCorrection] = 1, [FeedbackKind.Rating] = 1,
        });
        report.FeedbackBySource.Should().BeEquivalentTo(new Dictionary<string, int> { ["ground-truth"] = 3, ["alice"] = 1, ["app"] = 1 });

        // Delays 10, 20 and 40 minutes: mean 23:20, median 20, p90 = 20 + 0.8 · 20 = 36, p99 = 39:36, maximum 40.
        LabelDelayDistribution delay = report.Delay!;
        delay.Count.Should().Be(3);
        delay.Mean.Should().Be(TimeSpan.FromMinutes(70.0 / 3));
        delay.Median.Should().Be(TimeSpan.FromMinutes(20));
        delay.Percentile90.Should().Be(TimeSpan.FromMinutes(36));
        delay.Percentile99.Should().Be(TimeSpan.FromMinutes(39.6));
        delay.Maximum.Should().Be(TimeSpan.FromMinutes(40));
    }

    [Fact]
    public void Compute_LabelStampedBeforeItsPrediction_IsCountedAndLeftOutOfTheDelays()
    {
        Prediction prediction = Predict(Start.AddHours(1));

        LabelCoverageReport report = LabelCoverage.Compute([prediction], [Feedback.GroundTruth(prediction.Id, true, Start)]);

        report.Labelled.Should().Be(1);
        report.LabelsBeforePrediction.Should().Be(1);
        report.Delay.Should().BeNull();
    }

    [Fact]
    public void Compute_EmptyWindow_HasZeroCoverage()
    {
        LabelCoverageReport report = LabelCoverage.Compute([], []);

        report.Coverage.Should().Be(0);
        report.Delay.Should().BeNull();
    }

    [Fact]
    public void Compute_BadInput_IsRefused()
    {
        Prediction prediction = Predict(Start);

        ((Action)(() => LabelCoverage.Compute(null!, []))).Should().Throw<ArgumentNullException>();
        ((Action)(() => LabelCoverage.Compute([prediction], null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => LabelCoverage.Compute([prediction, null!], []))).Should().Throw<ArgumentNullException>().WithMessage("*predictions[1]*");
        ((Action)(() => LabelCoverage.Compute([prediction], [null!]))).Should().Throw<ArgumentNullException>().WithMessage("*feedback[0]*");
        ((Action)(() => LabelCoverage.Compute([prediction, prediction], []))).Should().Throw<ArgumentException>().WithMessage("*twice*");
    }

    private static Prediction Predict(DateTimeOffset at) =>
        new(PredictionId.New(), "model", "1", at, FeatureVector.Create(Schema, [1.0]), PredictionOutput.Binary(0.7));
}
