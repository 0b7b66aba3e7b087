using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FeedbackLoop.State;

namespace FeedbackLoop.Drift;

/// <summary>
/// Turns any <see cref="ITwoSampleTest"/> into a streaming <see cref="IDriftDetector"/>: a fixed reference sample,
/// prepared once, is compared with a current window of the stream (tumbling or sliding) every so many values.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Update"/> adds a value to the current window and, when the window is due (full for a tumbling window;
/// full and <see cref="TwoSampleDriftDetectorOptions.EvaluateEvery"/> values after the last test for a sliding
/// one), runs the test. The value that completed a drifting window is reported with <see cref="DriftState.Drift"/>;
/// every other value with <see cref="DriftState.None"/>: the adapter has no warning zone. The test's verdict is in
/// <see cref="LastResult"/>; an insufficient-data verdict is not a drift.
/// </para>
/// <para>
/// After a drift the detector restarts as the other detectors do: the next <see cref="Update"/> first empties the
/// current window. The reference stays fixed; to adopt the drifted distribution as the new reference, create a new
/// detector from a recent sample.
/// </para>
/// <para>
/// Non-finite values are refused by <see cref="Update"/>. Values outside the test's own domain (for example a 2
/// given to a binary test) are refused by the test when the window is tested: the exception propagates and the
/// current window is emptied, so one bad value cannot poison later tests.
/// </para>
/// <para>
/// Instances are not thread-safe. <see cref="Update"/> allocates nothing between tests; what a test allocates
/// depends on the test.
/// </para>
/// </remarks>
public sealed class TwoSampleDriftDetector : IRestorableDriftDetector
{
    private const int SnapshotVersion = 1;

    private readonly IPreparedTwoSampleTest _test;
    private readonly double[] _window;
    private readonly int _evaluateEvery;
    private readonly long _referenceFingerprint;
    private readonly bool _countNonFiniteAsMissing;

    private int _filled;
    private int _next;
    private int _sinceTest;
    private long _missing;
    private DriftState _state;

    /// <summary>Initializes a new instance of the <see cref="TwoSampleDriftDetector"/> class.</summary>
    /// <param name="test">The test that compares the current window with the reference.</param>
    /// <param name="reference">The reference sample; prepared once and copied.</param>
    /// <param name="options">The window options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="test"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The window size is below 2, <see cref="TwoSampleDriftDetectorOptions.EvaluateEvery"/> is below 1, the window
    /// kind is not defined, or the test refuses a reference value.
    /// </exception>
    public TwoSampleDriftDetector(ITwoSampleTest test, ReadOnlySpan<double> reference, TwoSampleDriftDetectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        options ??= new TwoSampleDriftDetectorOptions();
        if (options.WindowSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WindowSize, "The window size must be at least 2.");
        }

        if (options.EvaluateEvery < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.EvaluateEvery, "EvaluateEvery must be at least 1.");
        }

        if (options.NonFiniteValues is not (NonFiniteValues.Reject or NonFiniteValues.CountAsMissing))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.NonFiniteValues, "NonFiniteValues must be Reject or CountAsMissing.");
        }

        if (options.Window is not (CurrentWindow.Tumbling or CurrentWindow.Sliding))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Window, "The window must be Tumbling or Sliding.");
        }

        _test = test.Prepare(reference);
        _window = new double[options.WindowSize];
        Window = options.Window;
        _countNonFiniteAsMissing = options.NonFiniteValues == NonFiniteValues.CountAsMissing;
        _evaluateEvery = options.Window == CurrentWindow.Tumbling ? options.WindowSize : options.EvaluateEvery;
        _referenceFingerprint = Fingerprint(reference);
    }

    /// <summary>Gets the name of the underlying test.</summary>
    public string Test => _test.Name;

    /// <summary>Gets the number of values in the current window when full.</summary>
    public int WindowSize => _window.Length;

    /// <summary>Gets how the current window moves.</summary>
    public CurrentWindow Window { get; }

    /// <summary>Gets how many values pass between two tests once the window is full.</summary>
    /// <value><see cref="WindowSize"/> for a tumbling window.</value>
    public int EvaluateEvery => _evaluateEvery;

    /// <inheritdoc />
    /// <remarks>Never <see cref="DriftState.Warning"/>.</remarks>
    public DriftState State => _state;

    /// <summary>Gets the number of values currently in the window.</summary>
    public int Count => _filled;

    /// <summary>Gets the number of NaN and infinite values left out since construction or <see cref="Reset"/>.</summary>
    /// <value>Always 0 unless the options say <see cref="NonFiniteValues.CountAsMissing"/>.</value>
    public long MissingCount => _missing;

    /// <summary>Gets the result of the last test of the window.</summary>
    /// <value><see langword="null"/> before the first test, after <see cref="Reset"/> and after <see cref="Restore"/>.</value>
    public TwoSampleResult? LastResult { get; private set; }

    /// <summary>Adds one value to the current window and tests the window when it is due.</summary>
    /// <param name="value">The observation; any finite number the test accepts.</param>
    /// <returns>
    /// <see cref="DriftState.Drift"/> when this value completed a window the test judged drifted, otherwise
    /// <see cref="DriftState.None"/>; a value counted as missing leaves the state as it was.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="value"/> is NaN or infinite and the options say <see cref="NonFiniteValues.Reject"/> (the state
    /// is kept), or the test refused a value of the window (the window is emptied).
    /// </exception>
    public DriftState Update(double value)
    {
        if (!double.IsFinite(value))
        {
            if (!_countNonFiniteAsMissing)
            {
                ThrowNotFinite(value);
            }

            _missing++;
            return _state;
        }

        if (_state == DriftState.Drift)
        {
            ClearWindow();
        }

        _window[_next] = value;
        _next = _next + 1 == _window.Length ? 0 : _next + 1;
        if (_filled < _window.Length)
        {
            _filled++;
        }

        _sinceTest++;
        if (_filled < _window.Length || _sinceTest < _evaluateEvery)
        {
            _state = DriftState.None;
            return _state;
        }

        _sinceTest = 0;
        TwoSampleResult result;
        try
        {
            // The tests are permutation-invariant, so the ring buffer is compared as it lies.
            result = _test.Compare(_window);
        }
        catch (ArgumentOutOfRangeException)
        {
            ClearWindow();
            throw;
        }

        LastResult = result;
        if (Window == CurrentWindow.Tumbling && !result.IsDrift)
        {
            ClearWindow();
        }

        _state = result.IsDrift ? DriftState.Drift : DriftState.None;
        return _state;
    }

    /// <inheritdoc />
    /// <remarks>Empties the current window; the prepared reference is kept.</remarks>
    public void Reset()
    {
        ClearWindow();
        _missing = 0;
        LastResult = null;
    }

    /// <inheritdoc />
    /// <remarks>The snapshot holds a fingerprint of the reference sample, not the sample: restore into a detector built with the same test and reference.</remarks>
    public StateSnapshot Snapshot() =>
        new SnapshotWriter(nameof(TwoSampleDriftDetector), SnapshotVersion)
            .Write(_window.Length).Write((int)Window).Write(_evaluateEvery).Write(_test.ReferenceCount).Write(_referenceFingerprint)
            .Write(_countNonFiniteAsMissing)
            .Write(_filled).Write(_next).Write(_sinceTest).Write(_missing).Write((int)_state)
            .Write(_window.AsSpan(0, _filled))
            .ToSnapshot();

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot)
    {
        var reader = SnapshotReader.Open(snapshot, nameof(TwoSampleDriftDetector), SnapshotVersion);
        reader.ExpectParameter(nameof(WindowSize), _window.Length);
        reader.ExpectParameter(nameof(Window), (long)Window);
        reader.ExpectParameter(nameof(EvaluateEvery), _evaluateEvery);
        reader.ExpectParameter("ReferenceCount", _test.ReferenceCount);
        reader.ExpectParameter("ReferenceFingerprint", _referenceFingerprint);
        reader.ExpectParameter(nameof(NonFiniteValues), _countNonFiniteAsMissing ? 1 : 0);
        int filled = reader.ReadInt32();
        int next = reader.ReadInt32();
        int sinceTest = reader.ReadInt32();
        long missing = reader.ReadInt64();
        var state = (DriftState)reader.ReadInt32();
        double[] values = reader.ReadDoubles(_window.Length);
        reader.End();
        if (filled != values.Length || missing < 0 || !IsReachable(filled, next, sinceTest, state))
        {
            throw reader.Corrupt("the window position, counters or state are out of range");
        }

        Array.Clear(_window);
        values.CopyTo(_window, 0);
        _filled = filled;
        _next = next;
        _sinceTest = sinceTest;
        _missing = missing;
        _state = state;
        LastResult = null;
    }

    /// <summary>Whether <see cref="Update"/> can leave the window in this position, so that a snapshot of it continues as the original would.</summary>
    /// <remarks>
    /// A window fills from empty at position 0, counting every value since the last test, so while it fills the
    /// position and the count since the test both equal the number of values, and no test has judged it: the count may
    /// exceed <see cref="EvaluateEvery"/> when that is below the window size, the first test waiting for the window to
    /// be full. A full window was tested less than <see cref="EvaluateEvery"/> values ago, just now when it drifted;
    /// a full tumbling window is kept only when it drifted.
    /// </remarks>
    private bool IsReachable(int filled, int next, int sinceTest, DriftState state)
    {
        if (filled < _window.Length)
        {
            return next == filled && sinceTest == filled && state == DriftState.None;
        }

        return next >= 0 && next < _window.Length && sinceTest >= 0 && sinceTest < _evaluateEvery
            && (state == DriftState.None ? Window == CurrentWindow.Sliding : state == DriftState.Drift && sinceTest == 0);
    }

    private static long Fingerprint(ReadOnlySpan<double> reference)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(reference), hash);
        return MemoryMarshal.Read<long>(hash);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(double value) =>
        throw new ArgumentOutOfRangeException(
            nameof(value),
            value,
            "The two-sample drift detector takes finite values: the value must not be NaN or infinite.");

    private void ClearWindow()
    {
        _filled = 0;
        _next = 0;
        _sinceTest = 0;
        _state = DriftState.None;
    }
}
