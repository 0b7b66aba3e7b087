using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// HDDM_W, the drift detection method based on McDiarmid's bounds with the exponentially weighted moving average
/// (EWMA) test of Frías-Blanco et al. (2015), "Online and non-parametric drift detection methods based on
/// Hoeffding's bounds", IEEE TKDE 27(3), pp. 810-823 (Algorithm 2), in the update order of MOA's
/// <c>HDDM_W_Test</c> and River's <c>drift.binary.HDDM_W</c>.
/// </summary>
/// <remarks>
/// <para>
/// Input is any value in [0, 1], usually an error indicator. A sample summary holds the EWMA
/// <c>X̂_n = λ x_n + (1 - λ) X̂_(n-1)</c> (the first value starts it) and the sum of squared weights
/// <c>D_n = λ² + (1 - λ)² D_(n-1)</c>, <c>D_1 = 1</c>, that McDiarmid's bound <c>sqrt(D ln(1 / δ) / 2)</c> needs. The
/// detector keeps the summary of all values and, for increases, a cut point: the summary where the EWMA plus its
/// bound at <see cref="DriftConfidence"/> was lowest, and a summary of the values after it. An increase is
/// significant at δ when the after-cut EWMA exceeds the cut EWMA by more than <c>sqrt((D_cut + D_after) ln(1 / δ) / 2)</c>:
/// at <see cref="DriftConfidence"/> a drift, otherwise at <see cref="WarningConfidence"/> a warning. The two-sided test
/// mirrors this for decreases, a decrease drift taking precedence.
/// </para>
/// <para>
/// River's <c>stats.EWMean</c> treats an estimate of exactly 0 as unset (an error-free start makes the first error's
/// EWMA 1 instead of λ), and its summaries start with <c>D = 1</c> before the first value; both depart from the
/// paper. This class follows the paper and MOA: the first value starts the EWMA with <c>D_1 = 1</c>.
/// </para>
/// <para>
/// After a drift the detector restarts, as MOA and River do: the next <see cref="Update"/> first clears all state.
/// Instances are not thread-safe. <see cref="Update"/> does not allocate.
/// </para>
/// </remarks>
public sealed class HddmW : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;

    private readonly double _driftConfidence;
    private readonly double _warningConfidence;
    private readonly double _lambda;
    private readonly bool _twoSided;
    private readonly double _driftFactor;
    private readonly double _warningFactor;
    private readonly EwmaWeights _weights;

    private Ewma _total;
    private Ewma _increaseCut;
    private Ewma _increaseAfter;
    private Ewma _decreaseCut;
    private Ewma _decreaseAfter;
    private double _increaseCutPoint;
    private double _decreaseCutPoint;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="HddmW"/> class.</summary>
    /// <param name="driftConfidence">δ_D, the confidence of the drift test. Defaults to 0.001 (the paper, MOA, River).</param>
    /// <param name="warningConfidence">δ_W, the confidence of the warning test. Defaults to 0.005 (the paper, MOA, River).</param>
    /// <param name="lambda">λ, the weight of the newest value in the EWMA, in (0, 1). Defaults to 0.05 (the paper, MOA, River).</param>
    /// <param name="twoSided">Whether decreases are watched too. Defaults to <see langword="false"/> (River's <c>two_sided_test</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A confidence or <paramref name="lambda"/> is not in (0, 1), or <paramref name="warningConfidence"/> is not above
    /// <paramref name="driftConfidence"/>.
    /// </exception>
    public HddmW(double driftConfidence = 0.001, double warningConfidence = 0.005, double lambda = 0.05, bool twoSided = false)
    {
        _driftConfidence = DetectorArguments.OpenUnit(driftConfidence, nameof(driftConfidence), "The drift confidence");
        _warningConfidence = DetectorArguments.OpenUnit(warningConfidence, nameof(warningConfidence), "The warning confidence");
        _lambda = DetectorArguments.OpenUnit(lambda, nameof(lambda), "Lambda");
        if (warningConfidence <= driftConfidence)
        {
            throw new ArgumentOutOfRangeException(nameof(warningConfidence), warningConfidence, $"The warning confidence must be greater than the drift confidence ({driftConfidence}).");
        }

        _twoSided = twoSided;
        _driftFactor = Math.Log(1 / driftConfidence) / 2;
        _warningFactor = Math.Log(1 / warningConfidence) / 2;
        _weights = new EwmaWeights(lambda, 1 - lambda, lambda * lambda, (1 - lambda) * (1 - lambda));
        Reset();
    }

    /// <summary>Gets δ_D, the confidence of the drift test.</summary>
    /// <value>0.001 by default.</value>
    public double DriftConfidence => _driftConfidence;

    /// <summary>Gets δ_W, the confidence of the warning test.</summary>
    /// <value>0.005 by default.</value>
    public double WarningConfidence => _warningConfidence;

    /// <summary>Gets λ, the weight of the newest value in the EWMA.</summary>
    /// <value>0.05 by default.</value>
    public double Lambda => _lambda;

    /// <summary>Gets a value indicating whether decreases are watched too.</summary>
    /// <value><see langword="false"/> by default.</value>
    public bool TwoSided => _twoSided;

    /// <inheritdoc />
    public DriftState State => _state;

    /// <summary>Gets the EWMA of all values of the current statistic.</summary>
    /// <value>0 before the first value.</value>
    public double Estimate => _total.Started ? _total.Mean : 0;

    /// <summary>Adds one value.</summary>
    /// <param name="value">A value in [0, 1], usually 1 for an error and 0 for a correct prediction.</param>
    /// <returns>The state after this value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is outside [0, 1] or NaN; the state is kept.</exception>
    public DriftState Update(double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            DetectorArguments.ThrowNotInUnitInterval("HDDM_W", value);
        }

        if (_state == DriftState.Drift)
        {
            Reset();
        }

        _total.Add(value, _weights);
        double bound = Math.Sqrt(_total.SquaredWeights * _driftFactor);
        if (_total.Mean + bound < _increaseCutPoint)
        {
            _increaseCutPoint = _total.Mean + bound;
            _increaseCut = _total;
            _increaseAfter = default;
        }
        else
        {
            _increaseAfter.Add(value, _weights);
        }

        DriftState state = Test(_increaseCut, _increaseAfter, _increaseAfter.Mean - _increaseCut.Mean);

        // The decrease side only matters to the two-sided test (River updates it regardless, to no effect).
        if (_twoSided)
        {
            if (_total.Mean - bound > _decreaseCutPoint)
            {
                _decreaseCutPoint = _total.Mean - bound;
                _decreaseCut = _total;
                _decreaseAfter = default;
            }
            else
            {
                _decreaseAfter.Add(value, _weights);
            }

            DriftState decrease = Test(_decreaseCut, _decreaseAfter, _decreaseCut.Mean - _decreaseAfter.Mean);
            state = (DriftState)Math.Max((int)state, (int)decrease);
        }

        _state = state;
        return state;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _total = default;
        _increaseCut = default;
        _increaseAfter = default;
        _decreaseCut = default;
        _decreaseAfter = default;
        _increaseCutPoint = double.PositiveInfinity;
        _decreaseCutPoint = double.NegativeInfinity;
        _state = DriftState.None;
    }

    /// <inheritdoc />
    public StateSnapshot Snapshot()
    {
        var writer = new SnapshotWriter(nameof(HddmW), SnapshotVersion)
            .Write(_driftConfidence).Write(_warningConfidence).Write(_lambda).Write(_twoSided);
        foreach (Ewma summary in (ReadOnlySpan<Ewma>)[_total, _increaseCut, _increaseAfter, _decreaseCut, _decreaseAfter])
        {
            writer.Write(summary.Started).Write(summary.Mean).Write(summary.SquaredWeights);
        }

        return writer.Write(_increaseCutPoint).Write(_decreaseCutPoint).Write((int)_state).ToSnapshot();
    }

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(HddmW), SnapshotVersion);
        reader.ExpectParameter(nameof(DriftConfidence), _driftConfidence);
        reader.ExpectParameter(nameof(WarningConfidence), _warningConfidence);
        reader.ExpectParameter(nameof(Lambda), _lambda);
        reader.ExpectParameter(nameof(TwoSided), _twoSided ? 1 : 0);
        Span<Ewma> summaries = stackalloc Ewma[5];
        for (int i = 0; i < summaries.Length; i++)
        {
            summaries[i] = new Ewma(reader.ReadBoolean(), reader.ReadDouble(), reader.ReadDouble());
        }

        double increaseCutPoint = reader.ReadDouble();
        double decreaseCutPoint = reader.ReadDouble();
        var state = (DriftState)reader.ReadInt32();
        reader.End();
        if (!Enum.IsDefined(state))
        {
            throw reader.Corrupt("the state is out of range");
        }

        (_total, _increaseCut, _increaseAfter, _decreaseCut, _decreaseAfter) = (summaries[0], summaries[1], summaries[2], summaries[3], summaries[4]);
        _increaseCutPoint = increaseCutPoint;
        _decreaseCutPoint = decreaseCutPoint;
        _state = state;
    }

    /// <summary>McDiarmid's bound on the difference of two independent EWMAs (the paper's Theorem 2).</summary>
    private DriftState Test(Ewma cut, Ewma after, double difference)
    {
        if (!(cut.Started && after.Started))
        {
            return DriftState.None;
        }

        // difference > sqrt(w · ln(1/δ) / 2), compared as squares for a positive difference.
        if (difference <= 0)
        {
            return DriftState.None;
        }

        double weights = cut.SquaredWeights + after.SquaredWeights;
        double squared = difference * difference;
        return squared > weights * _driftFactor ? DriftState.Drift
            : squared > weights * _warningFactor ? DriftState.Warning
            : DriftState.None;
    }

    /// <summary>λ, 1 - λ and their squares, computed once.</summary>
    private readonly record struct EwmaWeights(double Lambda, double Complement, double LambdaSquared, double ComplementSquared);

    /// <summary>An EWMA and the sum of its squared weights.</summary>
    private record struct Ewma(bool Started, double Mean, double SquaredWeights)
    {
        public void Add(double value, in EwmaWeights weights)
        {
            if (!Started)
            {
                Started = true;
                Mean = value;
                SquaredWeights = 1;
                return;
            }

            Mean = (weights.Lambda * value) + (weights.Complement * Mean);
            SquaredWeights = weights.LambdaSquared + (weights.ComplementSquared * SquaredWeights);
        }
    }
}
