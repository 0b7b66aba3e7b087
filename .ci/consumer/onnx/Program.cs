// A fresh host application that consumes FeedbackLoop.Sdk.Onnx from its NuGet package (built by .ci/run): a regression
// loop serves an ONNX model (y = 2·x0 − x1 + 0.5, written by the ONNX package's tests), scores with ONNX Runtime's
// native library, exports its labelled window for retraining outside the process, and refuses a corrupt model file.
using FeedbackLoop;
using FeedbackLoop.Models;
using FeedbackLoop.Onnx;
using FeedbackLoop.Registry;

const string LinearModel = "CAcSEkZlZWRiYWNrTG9vcC5UZXN0czqhAQocCgFYCgFXEgJ6MBoITWF0TXVsXzAiBk1hdE11bAodCgJ6MAoBQhIIdmFyaWFibGUaBUFkZF8xIgNBZGQSCnRlc3QtZ3JhcGgqEwoCAgEQAUIBV0oIAAAAQAAAgL8qDgoBARABQgFCSgQAAAA/WhQKAVgSDwoNCAESCQoDEgFOCgIIAmIbCgh2YXJpYWJsZRIPCg0IARIJCgMSAU4KAggBQgIQDQ==";
await using var loop = new FeedbackLoopBuilder("demand")
    .WithSchema(s => s.Numeric("x0").Numeric("x1"))
    .ForTask(ModelTask.Regression)
    .UseOnnx(o => o.IntraOpThreads = 1)
    .Build();
var model = OnnxModel.FromBytes(Convert.FromBase64String(LinearModel), loop.Schema, ModelTask.Regression);
var champion = await loop.PromoteAsync(model, new AliasChange("consumer", "trained in Python"), CancellationToken.None);

var prediction = loop.Predict(loop.Schema.CreateVector().Set("x0", 1.0).Set("x1", 2.0));
if (Math.Abs(prediction.Output.Value - 0.5) > 1e-6)
{
    throw new InvalidOperationException($"The ONNX model scored {prediction.Output.Value}, not 0.5.");
}

loop.RecordFeedback(Feedback.GroundTruth(prediction.Id, Label.Numeric(0.75)));
using var csv = new MemoryStream();
var rows = await loop.ExportLabelledWindowAsync(csv, null, CancellationToken.None);
if (rows != 1)
{
    throw new InvalidOperationException($"The export wrote {rows} rows, not 1.");
}

try
{
    OnnxModel.FromBytes(new byte[] { 1, 2, 3, 4 }, loop.Schema, ModelTask.Regression);
    throw new InvalidOperationException("A corrupt ONNX model was accepted.");
}
catch (InvalidOnnxModelException)
{
}

Console.WriteLine($"FeedbackLoop.Sdk.Onnx consumed: version {champion.Version} served {prediction.Output.Value:0.###}, exported {rows} labelled row, refused a corrupt model");
