// A fresh host application that consumes FeedbackLoop.Sdk from its NuGet package (built by .ci/run).
using FeedbackLoop;
using FeedbackLoop.Learning;
using FeedbackLoop.Models;
using FeedbackLoop.Retraining;
using Microsoft.Extensions.DependencyInjection;

var services = new ServiceCollection();
services.AddFeedbackLoop("credit-risk", loop => loop
    .WithSchema(s => s.Numeric("income").Numeric("debt_ratio"))
    .UseLearner(Learners.LogisticRegression(l2: 1e-3))
    .RetrainWhen(Retrain.EveryNewLabels(100)));
await using var provider = services.BuildServiceProvider();
var creditRisk = provider.GetRequiredKeyedService<IFeedbackLoop>("credit-risk");

var random = new Random(3);
for (var i = 0; i < 400; i++)
{
    var income = random.NextDouble() * 100;
    var debt = random.NextDouble();
    var features = creditRisk.Schema.CreateVector().Set("income", income).Set("debt_ratio", debt);
    var prediction = new Prediction(PredictionId.New(), creditRisk.Name, "host-v1", default, features, PredictionOutput.Binary(debt));
    creditRisk.RecordPrediction(prediction);
    creditRisk.RecordFeedback(Feedback.GroundTruth(prediction.Id, debt > 0.5));
}

var report = await creditRisk.RunCycleAsync(CancellationToken.None);
Console.WriteLine(report);
if (report.Outcome != CycleOutcome.Promoted)
{
    Console.Error.WriteLine("expected the first cycle to train and promote a champion");
    return 1;
}

Console.WriteLine($"consumer OK: {creditRisk.Predict(creditRisk.Schema.CreateVector().Set("income", 50).Set("debt_ratio", 0.9)).Output}");
return 0;
