using FeedbackLoop.Models;
using FeedbackLoop.Storage;
using Xunit;

namespace FeedbackLoop.Testing;

/// <content>Labelled windows: which predictions a query returns, in what order, with which label and features.</content>
public abstract partial class EventStoreConformanceTests
{
    /// <summary>A window holds only predictions with a label (not those without feedback or with ratings and flags only), oldest prediction first, each with its label and when it was received.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_LabelledAndUnlabelledPredictions_OnlyLabelledOldestFirst()
    {
        await using var session = await StartAsync();
        var predictions = Enumerable.Range(0, 4).Select(i => session.Prediction(T0.AddHours(i))).ToList();
        await session.AppendAsync(predictions.Select(p => Event(p)).ToArray());
        await session.AppendAsync(
            Event(GroundTruth(predictions[2], false, T0.AddHours(5)), T0.AddHours(6)),
            Event(NonLabel(FeedbackKind.Flag, predictions[1].Id, T0.AddHours(5))),
            Event(Feedback.Correction(predictions[0].Id, true, "reviewer:1", T0.AddHours(5)), T0.AddHours(7)));

        var window = await session.ReadAsync();

        Assert.Equal([predictions[0].Id, predictions[2].Id], window.Select(e => e.Prediction.Id));
        Assert.Equal([Label.Binary(true), Label.Binary(false)], window.Select(e => e.Label));
        Assert.Equal([T0.AddHours(7), T0.AddHours(6)], window.Select(e => e.LabelledAt));
    }

    /// <summary>
    /// Outputs and labels of every task come back as they were recorded: a binary label with the score it was decided
    /// from (a host threshold), a class with its per-class probabilities or without, a regression value with its
    /// prediction interval or without, and categorical and numeric labels.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_OutputsAndLabelsOfEveryTask_ComeBackIntact()
    {
        await using var session = await StartAsync();
        var classes = ModelTask.Multiclass("a", "b", "c");
        (PredictionOutput Output, Label Label)[] cases =
        [
            (PredictionOutput.Binary(0.3, threshold: 0.2), Label.Binary(false)),
            (PredictionOutput.Multiclass(classes, [0.125, 0.375, 0.5]), Label.Categorical("b")),
            (PredictionOutput.FromLabel(Label.Categorical("c")), Label.Categorical("c")),
            (PredictionOutput.Regression(-12.5), Label.Numeric(3.75)),
            (PredictionOutput.Regression(7.5, 6.0, 9.25), Label.Numeric(8.0)),
        ];
        var predictions = cases.Select((c, i) => session.Prediction(T0.AddHours(i), output: c.Output)).ToList();
        await session.AppendAsync(predictions.Select(p => Event(p)).ToArray());
        await session.AppendAsync(cases.Select((c, i) => Event(Feedback.GroundTruth(predictions[i].Id, c.Label, T0.AddHours(9)))).ToArray());

        var window = await session.ReadAsync();

        Assert.Equal(cases.Select(c => c.Output), window.Select(e => e.Prediction.Output));
        Assert.Equal([0.125, 0.375, 0.5], window[1].Prediction.Output.Probabilities.ToArray());
        Assert.Equal((6.0, 9.25), window[4].Prediction.Output.Interval);
        Assert.Equal(cases.Select(c => c.Label), window.Select(e => e.Label));
    }

    /// <summary>A window is ordered by prediction time, not by arrival: predictions recorded out of order come back oldest first.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_PredictionsArrivedOutOfTimeOrder_OldestPredictionFirst()
    {
        await using var session = await StartAsync();
        int[] arrivalHours = [3, 1, 4, 2];
        var predictions = arrivalHours.Select(h => session.Prediction(T0.AddHours(h))).ToList();
        await LabelAllAsync(session, predictions);

        var window = await session.ReadAsync();

        Assert.Equal([T0.AddHours(1), T0.AddHours(2), T0.AddHours(3), T0.AddHours(4)], window.Select(e => e.Prediction.Timestamp));
    }

    /// <summary><see cref="LabelledWindowQuery.MaxCount"/> keeps the newest predictions by prediction time, still oldest first, whatever order they arrived in.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_MaxCount_KeepsTheNewestOldestFirst()
    {
        await using var session = await StartAsync();
        int[] arrivalHours = [2, 5, 1, 4, 3];
        var predictions = arrivalHours.Select(h => session.Prediction(T0.AddHours(h))).ToList();
        await LabelAllAsync(session, predictions);

        var newest = await session.ReadAsync(new LabelledWindowQuery { MaxCount = 3 });
        var one = await session.ReadAsync(new LabelledWindowQuery { MaxCount = 1 });
        var all = await session.ReadAsync(new LabelledWindowQuery { MaxCount = 5 });

        Assert.Equal([T0.AddHours(3), T0.AddHours(4), T0.AddHours(5)], newest.Select(e => e.Prediction.Timestamp));
        Assert.Equal(T0.AddHours(5), Assert.Single(one).Prediction.Timestamp);
        Assert.Equal(5, all.Count);
    }

    /// <summary><see cref="LabelledWindowQuery.From"/> is inclusive and <see cref="LabelledWindowQuery.To"/> exclusive, both on the prediction's timestamp.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_FromAndTo_FromInclusiveToExclusiveOnPredictionTime()
    {
        await using var session = await StartAsync();
        var predictions = Enumerable.Range(0, 4).Select(h => session.Prediction(T0.AddHours(h))).ToList();
        await LabelAllAsync(session, predictions);

        var between = await session.ReadAsync(new LabelledWindowQuery { From = T0.AddHours(1), To = T0.AddHours(3) });
        var from = await session.ReadAsync(new LabelledWindowQuery { From = T0.AddHours(1) });
        var to = await session.ReadAsync(new LabelledWindowQuery { To = T0.AddHours(3) });
        var empty = await session.ReadAsync(new LabelledWindowQuery { From = T0.AddHours(2), To = T0.AddHours(2) });

        Assert.Equal([predictions[1].Id, predictions[2].Id], between.Select(e => e.Prediction.Id));
        Assert.Equal([predictions[1].Id, predictions[2].Id, predictions[3].Id], from.Select(e => e.Prediction.Id));
        Assert.Equal([predictions[0].Id, predictions[1].Id, predictions[2].Id], to.Select(e => e.Prediction.Id));
        Assert.Empty(empty);
    }

    /// <summary><see cref="LabelledWindowQuery.ModelVersion"/> keeps the predictions served by that version only (ordinal comparison).</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_ModelVersion_ThatVersionOnly()
    {
        await using var session = await StartAsync();
        string[] versions = ["v1", "v2", "v1", "V1"];
        var predictions = versions.Select((v, i) => session.Prediction(T0.AddHours(i), version: v)).ToList();
        await LabelAllAsync(session, predictions);

        var v1 = await session.ReadAsync(new LabelledWindowQuery { ModelVersion = "v1" });
        var v3 = await session.ReadAsync(new LabelledWindowQuery { ModelVersion = "v3" });

        Assert.Equal([predictions[0].Id, predictions[2].Id], v1.Select(e => e.Prediction.Id));
        Assert.Empty(v3);
    }

    /// <summary><see cref="LabelledWindowQuery.Segment"/> keeps the predictions carrying that tag: the key and the value must both match.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_Segment_KeyAndValueMustMatch()
    {
        await using var session = await StartAsync();
        var predictions = new IReadOnlyDictionary<string, string>?[]
        {
            new Dictionary<string, string> { ["region"] = "eu" },
            new Dictionary<string, string> { ["region"] = "us" },
            new Dictionary<string, string> { ["channel"] = "eu" },
            new Dictionary<string, string> { ["channel"] = "web", ["region"] = "eu" },
            null,
        }.Select((segments, i) => session.Prediction(T0.AddHours(i), segments: segments)).ToList();
        await LabelAllAsync(session, predictions);

        var eu = await session.ReadAsync(new LabelledWindowQuery { Segment = new("region", "eu") });
        var asia = await session.ReadAsync(new LabelledWindowQuery { Segment = new("region", "asia") });

        Assert.Equal([predictions[0].Id, predictions[3].Id], eu.Select(e => e.Prediction.Id));
        Assert.Empty(asia);
    }

    /// <summary>
    /// A ground truth received after a human correction: <see cref="LabelPrecedence.LatestReceived"/> gives the ground
    /// truth, <see cref="LabelPrecedence.CorrectionsFirst"/> the latest correction, each with when it was received.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_GroundTruthReceivedAfterCorrections_PrecedenceChoosesTheLabel()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        await session.AppendAsync(Event(prediction));
        await session.AppendAsync(
            Event(Feedback.Correction(prediction.Id, Label.Categorical("first-correction"), "reviewer:1", T0.AddHours(1))),
            Event(Feedback.Correction(prediction.Id, Label.Categorical("second-correction"), "reviewer:2", T0.AddHours(2))));
        await session.AppendAsync(Event(Feedback.GroundTruth(prediction.Id, Label.Categorical("ground-truth"), T0.AddHours(3))));

        var latest = Assert.Single(await session.ReadAsync(new LabelledWindowQuery { Precedence = LabelPrecedence.LatestReceived }));
        var corrections = Assert.Single(await session.ReadAsync(new LabelledWindowQuery { Precedence = LabelPrecedence.CorrectionsFirst }));

        Assert.Equal(Label.Categorical("ground-truth"), latest.Label);
        Assert.Equal(T0.AddHours(3), latest.LabelledAt);
        Assert.Equal(Label.Categorical("second-correction"), corrections.Label);
        Assert.Equal(T0.AddHours(2), corrections.LabelledAt);
    }

    /// <summary><see cref="LabelPrecedence.CorrectionsFirst"/> on a prediction without a correction gives the ground truth received last.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_CorrectionsFirstWithoutACorrection_LatestGroundTruth()
    {
        await using var session = await StartAsync();
        var prediction = session.Prediction();
        await session.AppendAsync(
            Event(prediction),
            Event(GroundTruth(prediction, true, T0.AddHours(1))),
            Event(GroundTruth(prediction, false, T0.AddHours(2))));

        var example = Assert.Single(await session.ReadAsync(new LabelledWindowQuery { Precedence = LabelPrecedence.CorrectionsFirst }));

        Assert.Equal(Label.Binary(false), example.Label);
        Assert.Equal(T0.AddHours(2), example.LabelledAt);
    }

    /// <summary>
    /// An example's prediction is the one recorded: id, model name and version, timestamp, output, segment tags, and the
    /// numeric and categorical features of the schema.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_Example_CarriesTheRecordedPrediction()
    {
        var schema = EventStoreConformanceOptions.NumericAndCategoricalFeatures;
        await using var session = await StartAsync(new EventStoreConformanceOptions { Schema = schema });
        var vector = schema.CreateVector().Set("income", 52_000.5).Set("debt_ratio", 0.125).Set("region", "eu-west");
        var segments = new Dictionary<string, string> { ["channel"] = "web", ["tier"] = "gold" };
        var prediction = new Prediction(PredictionId.New(), "credit-risk", "2024-11.3", T0.AddSeconds(42), vector, PredictionOutput.Binary(0.375), segments);
        await session.AppendAsync(Event(prediction), Event(GroundTruth(prediction, true, T0.AddHours(1))));

        var stored = Assert.Single(await session.ReadAsync()).Prediction;

        Assert.Equal(prediction.Id, stored.Id);
        Assert.Equal("credit-risk", stored.ModelName);
        Assert.Equal("2024-11.3", stored.ModelVersion);
        Assert.Equal(T0.AddSeconds(42), stored.Timestamp);
        Assert.Equal(prediction.Output, stored.Output);
        Assert.Equal(segments.OrderBy(s => s.Key, StringComparer.Ordinal), stored.Segments.OrderBy(s => s.Key, StringComparer.Ordinal));
        Assert.Equal(schema, stored.Features.Schema);
        Assert.Equal([52_000.5, 0.125], stored.Features.Numeric.ToArray());
        Assert.Equal("eu-west", Assert.Single(stored.Features.Categorical.ToArray()));
    }

    /// <summary>
    /// A host that changes its own <see cref="FeatureVector"/> after recording a prediction made from it does not change
    /// the recorded features: the window has the values the prediction was recorded with.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_HostChangesItsVectorAfterRecording_WindowHasTheRecordedFeatures()
    {
        var schema = EventStoreConformanceOptions.NumericAndCategoricalFeatures;
        await using var session = await StartAsync(new EventStoreConformanceOptions { Schema = schema });
        var vector = schema.CreateVector().Set("income", 40_000).Set("debt_ratio", 0.5).Set("region", "eu");
        var prediction = new Prediction(PredictionId.New(), "credit-risk", "v1", T0, vector, PredictionOutput.Binary(0.25));
        await session.AppendAsync(Event(prediction));

        vector.Set("income", 1).Set("debt_ratio", 0.75).Set("region", "us");
        await session.AppendAsync(Event(GroundTruth(prediction, false, T0.AddHours(1))));

        var features = Assert.Single(await session.ReadAsync()).Prediction.Features;
        Assert.Equal(40_000, features.GetNumeric("income"));
        Assert.Equal(0.5, features.GetNumeric("debt_ratio"));
        Assert.Equal("eu", features.GetCategorical("region"));
    }

    /// <summary>A store with no labelled prediction returns an empty window.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_NothingLabelled_Empty()
    {
        await using var session = await StartAsync();
        await session.AppendAsync(Event(session.Prediction()));

        Assert.Empty(await session.ReadAsync());
    }

    /// <summary>A cancelled token makes <see cref="ILabelledWindowSource.ReadLabelledAsync"/> throw <see cref="OperationCanceledException"/>.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ReadLabelledAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        await using var session = await StartAsync();
        await LabelAllAsync(session, [session.Prediction(), session.Prediction(T0.AddHours(1))]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var example in session.Window.ReadLabelledAsync(new LabelledWindowQuery(), cancelled.Token))
            {
                Assert.Fail($"read {example.Prediction.Id} with a cancelled token");
            }
        });
    }

    /// <summary>Records the predictions, then a ground truth for each.</summary>
    private static async Task LabelAllAsync(Session session, IReadOnlyList<Prediction> predictions)
    {
        await session.AppendAsync(predictions.Select(p => Event(p)).ToArray());
        await session.AppendAsync(predictions.Select((p, i) => Event(GroundTruth(p, i % 2 == 0, p.Timestamp.AddMinutes(30)))).ToArray());
    }
}
