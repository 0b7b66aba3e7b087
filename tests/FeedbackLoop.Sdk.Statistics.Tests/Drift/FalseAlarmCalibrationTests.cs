using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests.Drift;

public sealed class FalseAlarmCalibrationTests
{
    [Fact]
    public void Calibrate_ExceedanceDetector_FindsTheGeometricRunLengthQuantile()
    {
        // A detector that alarms on any value above c has a geometric run length with mean 1 / P(X > c). Over a
        // bootstrap pool of 0.0005, 0.0015, ..., 0.9995 the target 100 needs P(X > c) = 0.01, so c is about 0.99.
        double[] pool = Enumerable.Range(0, 1_000).Select(i => (i + 0.5) / 1_000).ToArray();

        var result = FalseAlarmCalibration.Calibrate(
            c => new ExceedanceDetector(c),
            pool,
            new() { TargetRunLength = 100, Runs = 2_000, Minimum = 0, Maximum = 1, Seed = 3 });

        result.Reached.Should().BeTrue();
        result.Parameter.Should().BeInRange(0.985, 0.995);
        result.RunLength.Should().BeGreaterThanOrEqualTo(100);
        result.RunLength.Should().BeLessThan(100 + (4 * result.StandardError) + 15);
        result.Runs.Should().Be(2_000);
    }

    [Fact]
    public void Calibrate_PageHinkleyThreshold_GivesTheTargetRunLengthOnFreshStreams()
    {
        var random = new Random(17);
        double[] reference = Enumerable.Range(0, 5_000).Select(_ => Normal(random)).ToArray();
        var options = new FalseAlarmCalibrationOptions { TargetRunLength = 1_000, Runs = 100, Minimum = 1, Maximum = 200, Seed = 1 };

        var result = FalseAlarmCalibration.Calibrate(
            lambda => new PageHinkley(delta: 0.1, threshold: lambda, alpha: 1),
            reference,
            options);

        result.Reached.Should().BeTrue();
        result.RunLength.Should().BeGreaterThanOrEqualTo(1_000);

        // Independent N(0, 1) streams, not bootstrapped: the calibrated threshold holds its run length within 25%.
        double total = 0;
        const int Streams = 200;
        for (int s = 0; s < Streams; s++)
        {
            var detector = new PageHinkley(delta: 0.1, threshold: result.Parameter, alpha: 1);
            int t = 0;
            while (t < 100_000 && detector.Update(Normal(random)) != DriftState.Drift)
            {
                t++;
            }

            total += t + 1;
        }

        (total / Streams).Should().BeInRange(750, 1_400);
    }

    [Fact]
    public void Calibrate_TargetBeyondTheStrictestParameter_ReportsNotReached()
    {
        double[] pool = Enumerable.Range(0, 100).Select(i => i / 100.0).ToArray();

        var result = FalseAlarmCalibration.Calibrate(c => new ExceedanceDetector(c), pool, new() { TargetRunLength = 1_000, Runs = 50, Minimum = 0, Maximum = 0.5 });

        result.Reached.Should().BeFalse();
        result.Parameter.Should().Be(0.5);
        result.RunLength.Should().BeLessThan(1_000);
    }

    [Fact]
    public void Calibrate_LogScaleConfidence_SearchesDownwardsForStricter()
    {
        double[] pool = Enumerable.Range(0, 1_000).Select(i => (i + 0.5) / 1_000).ToArray();

        // Alarm when a value exceeds 1 - delta: a smaller delta is stricter.
        var result = FalseAlarmCalibration.Calibrate(
            delta => new ExceedanceDetector(1 - delta),
            pool,
            new() { TargetRunLength = 50, Runs = 1_000, Minimum = 1e-6, Maximum = 0.5, LargerIsStricter = false, LogScale = true });

        result.Reached.Should().BeTrue();
        result.Parameter.Should().BeInRange(0.015, 0.025);
    }

    [Theory]
    [InlineData(5.0, 100, 20, 0.0, 1.0, false, "*TargetRunLength*")]
    [InlineData(100.0, 5, 20, 0.0, 1.0, false, "*Runs*")]
    [InlineData(100.0, 100, 0, 0.0, 1.0, false, "*Iterations*")]
    [InlineData(100.0, 100, 20, 1.0, 1.0, false, "*Minimum*Maximum*")]
    [InlineData(100.0, 100, 20, double.NaN, 1.0, false, "*Minimum*Maximum*")]
    [InlineData(100.0, 100, 20, 0.0, 1.0, true, "*log scale*")]
    public void Calibrate_InvalidOptions_Throw(double target, int runs, int iterations, double minimum, double maximum, bool logScale, string message)
    {
        var options = new FalseAlarmCalibrationOptions
        {
            TargetRunLength = target, Runs = runs, Iterations = iterations, Minimum = minimum, Maximum = maximum, LogScale = logScale,
        };

        Action act = () => FalseAlarmCalibration.Calibrate(c => new ExceedanceDetector(c), [0.1, 0.2, 0.3], options);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(message);
    }

    [Fact]
    public void Calibrate_ReferenceTooSmallOrNotFinite_Throws()
    {
        var options = new FalseAlarmCalibrationOptions { Minimum = 0, Maximum = 1 };

        Action tooSmall = () => FalseAlarmCalibration.Calibrate(c => new ExceedanceDetector(c), [0.5], options);
        Action notFinite = () => FalseAlarmCalibration.Calibrate(c => new ExceedanceDetector(c), [0.5, double.PositiveInfinity], options);

        tooSmall.Should().Throw<ArgumentException>().WithMessage("*1 values*at least 2*");
        notFinite.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*index 1*finite*");
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed class ExceedanceDetector(double threshold) : IDriftDetector
    {
        public DriftState State { get; private set; }

        public DriftState Update(double value) => State = value > threshold ? DriftState.Drift : DriftState.None;

        public void Reset() => State = DriftState.None;
    }
}
