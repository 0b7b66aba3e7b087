using FeedbackLoop.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>ML.NET models a host trains outside the loop, the ML.NET way: a row class, LoadFromEnumerable, MapValueToKey on a text label.</summary>
public static class HostModels
{
    /// <summary>Trains a multiclass model on a training set's rows, the label keyed in order of appearance (not the task's order).</summary>
    public static (ITransformer Model, IDataView Data) Multiclass(TrainingSet set, bool upperCaseColumns = false)
    {
        var context = new MLContext(seed: 1);
        var rows = Rows(set).Select(r => new Row { X1 = r.X[0], X2 = r.X[1], X3 = r.X[2], X4 = r.X[3], Label = r.Label.AsCategory() });
        var data = upperCaseColumns ? context.Data.LoadFromEnumerable(rows.Select(r => new UpperRow { X1 = r.X1, X2 = r.X2, X3 = r.X3, X4 = r.X4, Label = r.Label })) : context.Data.LoadFromEnumerable(rows);
        string[] features = upperCaseColumns ? ["X1", "X2", "X3", "X4"] : ["x1", "x2", "x3", "x4"];
        var pipeline = context.Transforms.Conversion.MapValueToKey("Label")
            .Append(context.Transforms.Concatenate("Features", features))
            .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        return (pipeline.Fit(data), data);
    }

    private static IEnumerable<(float[] X, Label Label)> Rows(TrainingSet set)
    {
        for (var i = 0; i < set.Count; i++)
        {
            yield return ([.. set.Row(i).Numeric.ToArray().Select(v => (float)v)], set.Labels[i]);
        }
    }

    public sealed class Row
    {
        [ColumnName("x1")]
        public float X1 { get; set; }

        [ColumnName("x2")]
        public float X2 { get; set; }

        [ColumnName("x3")]
        public float X3 { get; set; }

        [ColumnName("x4")]
        public float X4 { get; set; }

        public string Label { get; set; } = string.Empty;
    }

    public sealed class UpperRow
    {
        public float X1 { get; set; }

        public float X2 { get; set; }

        public float X3 { get; set; }

        public float X4 { get; set; }

        public string Label { get; set; } = string.Empty;
    }
}
