using FeedbackLoop.Drift;
using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests.Simulation;

public sealed class DetectorEvaluationTests
{
    private static readonly DetectorEvaluationOptions Small = new() { Runs = 4, StreamLength = 6_000, DriftPosition = 3_000, GradualWidth = 1_000, DetectionHorizon = 2_500 };

    [Fact]
    public void Run_DetectorThatNeverAlarms_MissesEverythingWithoutFalseAlarms()
    {
        var result = DetectorEvaluation.Run([Named("never", () => new Scripted(_ => false))], Small).Single();

        result.Detector.Should().Be("never");
        result.StationaryValues.Should().Be(24_000);
        result.StationaryFalseAlarms.Should().Be(0);
        result.MeanTimeBetweenFalseAlarms.Should().Be(double.PositiveInfinity);
        result.Abrupt.Should().Be(new DriftScenarioOutcome(0, 4, double.NaN, 0));
        result.Gradual.Missed.Should().Be(4);
    }

    [Fact]
    public void Run_DetectorThatAlwaysAlarms_CountsFalseAlarmsAndDetectsWithZeroDelay()
    {
        var result = DetectorEvaluation.Run([Named("always", () => new Scripted(_ => true))], Small).Single();

        result.StationaryFalseAlarms.Should().Be(24_000);
        result.MeanTimeBetweenFalseAlarms.Should().Be(1);
        result.Abrupt.Should().Be(new DriftScenarioOutcome(4, 0, 0, 4 * 3_000));
        result.Gradual.Should().Be(new DriftScenarioOutcome(4, 0, 0, 4 * 2_500), "the gradual change starts half a width before its centre");
    }

    [Fact]
    public void Run_ErrorStreams_HaveTheStaleModelsErrorRates()
    {
        // SEA concept 0 read by its own rule errs at the 10% label noise; under concept 3 (θ = 9.5) the band
        // 8 < x1 + x2 <= 9.5 (probability (9.5² - 8²) / 200 = 0.13125 for two U(0, 10)) is also misread:
        // 0.1 + 0.13125 * 0.8 = 0.205.
        var seen = new List<Scripted>();
        DetectorEvaluation.Run([Named("probe", () => { var d = new Scripted(_ => false); seen.Add(d); return d; })], Small);

        var stationary = seen.Where((_, i) => i % 3 == 0).SelectMany(d => d.Values).ToArray();
        var abrupt = seen.Where((_, i) => i % 3 == 1).ToArray();
        stationary.Average().Should().BeApproximately(0.1, 0.01);
        abrupt.SelectMany(d => d.Values.Take(3_000)).Average().Should().BeApproximately(0.1, 0.015);
        abrupt.SelectMany(d => d.Values.Skip(3_000)).Average().Should().BeApproximately(0.205, 0.015);
    }

    [Fact]
    public void Run_Ddm_DetectsTheAbruptChange()
    {
        var result = DetectorEvaluation.Run([Named("ddm", () => new Ddm(minimumInstances: 1_000))], Small).Single();

        result.Abrupt.Detected.Should().Be(4);
        result.Abrupt.MeanDelay.Should().BeInRange(0, 1_500);
    }

    [Fact]
    public void Run_SameOptions_IsDeterministic()
    {
        var detectors = new[] { Named("ph", () => new PageHinkley(threshold: 10)) };

        DetectorEvaluation.Run(detectors, Small).Should().Equal(DetectorEvaluation.Run(detectors, Small));
    }

    [Theory]
    [InlineData(0, 6_000, 3_000, 1_000, 2_500, "*Runs*")]
    [InlineData(1, 6_000, 0, 1_000, 2_500, "*DriftPosition*")]
    [InlineData(1, 6_000, 3_000, 0, 2_500, "*GradualWidth*")]
    [InlineData(1, 6_000, 3_000, 7_000, 2_500, "*GradualWidth*")]
    [InlineData(1, 6_000, 3_000, 1_000, 0, "*DetectionHorizon*")]
    [InlineData(1, 5_000, 3_000, 1_000, 2_500, "*StreamLength*")]
    public void Run_InvalidOptions_Throw(int runs, int length, int position, int width, int horizon, string message)
    {
        var options = new DetectorEvaluationOptions { Runs = runs, StreamLength = length, DriftPosition = position, GradualWidth = width, DetectionHorizon = horizon };

        Action act = () => DetectorEvaluation.Run([Named("never", () => new Scripted(_ => false))], options);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(message);
    }

    private static KeyValuePair<string, Func<IDriftDetector>> Named(string name, Func<IDriftDetector> create) => new(name, create);

    private sealed class Scripted(Func<double, bool> alarm) : IDriftDetector
    {
        public List<double> Values { get; } = [];

        public DriftState State { get; private set; }

        public DriftState Update(double value)
        {
            Values.Add(value);
            return State = alarm(value) ? DriftState.Drift : DriftState.None;
        }

        public void Reset() => State = DriftState.None;
    }
}
