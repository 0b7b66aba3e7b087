using FeedbackLoop.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FeedbackLoop.MLNet;

/// <summary>
/// A <see cref="TrainingSet"/> as an ML.NET <see cref="IDataView"/>, column by column with no per-row reflection: the
/// feature columns of <see cref="MLNetColumns"/>, then the label (Boolean for binary; for multiclass a key whose value
/// k + 1 is the task's class k, annotated with the class names so a model's score slots carry them; Single for
/// regression) and the weight (Single).
/// </summary>
/// <remarks>Each column is converted once, when the view is created; cursors only index arrays.</remarks>
internal sealed class TrainingSetDataView : IDataView
{
    private readonly float[][] _numeric;
    private readonly ReadOnlyMemory<char>[][] _categorical;
    private readonly Array _labels;
    private readonly float[] _weights;

    public TrainingSetDataView(TrainingSet data, MLNetColumns columns)
    {
        ArgumentNullException.ThrowIfNull(data);
        Count = data.Count;
        _numeric = new float[columns.Numeric.Length][];
        for (var k = 0; k < _numeric.Length; k++)
        {
            var source = data.Numeric(k);
            var target = _numeric[k] = new float[Count];
            for (var i = 0; i < Count; i++)
            {
                target[i] = (float)source[i];
            }
        }

        _categorical = new ReadOnlyMemory<char>[columns.Categorical.Length][];
        for (var k = 0; k < _categorical.Length; k++)
        {
            var source = data.Categorical(k);
            var target = _categorical[k] = new ReadOnlyMemory<char>[Count];
            for (var i = 0; i < Count; i++)
            {
                // A missing category is empty text, which ML.NET's key mapping treats as missing (an all-zero one-hot).
                target[i] = source[i].AsMemory();
            }
        }

        _weights = new float[Count];
        for (var i = 0; i < Count; i++)
        {
            _weights[i] = (float)data.Weights[i];
        }

        var builder = new DataViewSchema.Builder();
        MLNetColumns.AddFeatures(builder, columns.Numeric, columns.Categorical);
        var task = data.Task;
        switch (task.Kind)
        {
            case ModelTaskKind.Binary:
                var binary = new bool[Count];
                for (var i = 0; i < Count; i++)
                {
                    binary[i] = data.Labels[i].AsBoolean();
                }

                _labels = binary;
                builder.AddColumn(columns.Label, BooleanDataViewType.Instance);
                break;
            case ModelTaskKind.Multiclass:
                var keys = new uint[Count];
                for (var i = 0; i < Count; i++)
                {
                    // TrainingSet holds only declared classes (TrainingSetBuilder checks each label against the task).
                    keys[i] = (uint)(task.IndexOf(data.Labels[i].AsCategory()) + 1);
                }

                _labels = keys;
                var classes = task.Classes.Select(c => c.AsMemory()).ToArray();
                var annotations = new DataViewSchema.Annotations.Builder();
                annotations.Add(
                    "KeyValues",
                    new VectorDataViewType(TextDataViewType.Instance, classes.Length),
                    (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(classes.Length, classes)));
                builder.AddColumn(columns.Label, new KeyDataViewType(typeof(uint), classes.Length), annotations.ToAnnotations());
                break;
            default:
                var values = new float[Count];
                for (var i = 0; i < Count; i++)
                {
                    values[i] = (float)data.Labels[i].AsDouble();
                }

                _labels = values;
                builder.AddColumn(columns.Label, NumberDataViewType.Single);
                break;
        }

        builder.AddColumn(columns.Weight, NumberDataViewType.Single);
        Schema = builder.ToSchema();
    }

    public int Count { get; }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            active[column.Index] = true;
        }

        return new Cursor(this, active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(TrainingSetDataView view, bool[] active) : DataViewRowCursor
    {
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 < view.Count)
            {
                _position++;
                return true;
            }

            _position = view.Count;
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            }

            var index = column.Index;
            var numeric = view._numeric.Length;
            var categorical = view._categorical.Length;
            Delegate getter;
            if (index < numeric)
            {
                var values = view._numeric[index];
                getter = (ValueGetter<float>)((ref float value) => value = values[_position]);
            }
            else if (index < numeric + categorical)
            {
                var values = view._categorical[index - numeric];
                getter = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = values[_position]);
            }
            else if (index == numeric + categorical)
            {
                getter = view._labels switch
                {
                    bool[] binary => (ValueGetter<bool>)((ref bool value) => value = binary[_position]),
                    uint[] keys => (ValueGetter<uint>)((ref uint value) => value = keys[_position]),
                    float[] values => (ValueGetter<float>)((ref float value) => value = values[_position]),
                    _ => throw new InvalidOperationException("Unknown label column."),
                };
            }
            else
            {
                var weights = view._weights;
                getter = (ValueGetter<float>)((ref float value) => value = weights[_position]);
            }

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; a getter of {typeof(TValue).Name} was asked for.");
        }
    }
}
