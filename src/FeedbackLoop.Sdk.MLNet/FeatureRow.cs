using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.MLNet;

/// <summary>
/// One input row in the loop's columns (<see cref="MLNetColumns.Input"/>), refilled from a <see cref="FeatureVector"/>
/// for each prediction: what a <c>PredictionEngine</c>'s input row is, without reflection over a class.
/// </summary>
/// <remarks>Not thread-safe; each pooled scorer owns one.</remarks>
internal sealed class FeatureRow : DataViewRow
{
    private readonly float[] _numeric;
    private readonly ReadOnlyMemory<char>[] _categorical;
    private readonly Delegate[] _getters;
    private long _position = -1;

    public FeatureRow(MLNetColumns columns)
    {
        Schema = columns.Input;
        _numeric = new float[columns.Numeric.Length];
        _categorical = new ReadOnlyMemory<char>[columns.Categorical.Length];
        _getters = new Delegate[Schema.Count];
        for (var k = 0; k < _numeric.Length; k++)
        {
            var ordinal = k;
            _getters[k] = (ValueGetter<float>)((ref float value) => value = _numeric[ordinal]);
        }

        for (var k = 0; k < _categorical.Length; k++)
        {
            var ordinal = k;
            _getters[_numeric.Length + k] = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _categorical[ordinal]);
        }

        for (var k = columns.FeatureCount; k < _getters.Length; k++)
        {
            _getters[k] = (Delegate)typeof(FeatureRow).GetMethod(nameof(DefaultGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(Schema[k].Type.RawType).Invoke(null, null)!;
        }
    }

    private static ValueGetter<T> DefaultGetter<T>() => (ref T value) => value = default!;

    // Mappers cache derived values by position (as PredictionEngine's input row does, each new input is a new position).
    public override long Position => _position;

    public override long Batch => 0;

    public override DataViewSchema Schema { get; }

    public void Load(FeatureVector features)
    {
        var numeric = features.Numeric;
        for (var k = 0; k < _numeric.Length; k++)
        {
            _numeric[k] = (float)numeric[k];
        }

        var categorical = features.Categorical;
        for (var k = 0; k < _categorical.Length; k++)
        {
            _categorical[k] = categorical[k].AsMemory();
        }

        _position++;
    }

    public override bool IsColumnActive(DataViewSchema.Column column) => true;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
        _getters[column.Index] as ValueGetter<TValue>
        ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; a getter of {typeof(TValue).Name} was asked for.");

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);
}
