using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace FeedbackLoop;

/// <summary>The segment tags of a prediction (for example region, channel): an immutable copy of what the host passed.</summary>
/// <remarks>
/// Immutable and thread-safe. Enumerating it with <c>foreach</c> allocates nothing. Lookups scan the tags, which is
/// the fastest way for the handful of tags a prediction carries.
/// </remarks>
public sealed class SegmentDictionary : IReadOnlyDictionary<string, string>
{
    private readonly string[] _keys;
    private readonly string[] _values;

    private SegmentDictionary(string[] keys, string[] values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>Gets the empty set of tags.</summary>
    public static SegmentDictionary Empty { get; } = new([], []);

    /// <inheritdoc />
    public int Count => _keys.Length;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => _values;

    /// <inheritdoc />
    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No segment tag '{key}'.");

    /// <summary>Copies tags into an immutable set.</summary>
    /// <param name="tags">The tags; <see langword="null"/> or empty for none.</param>
    /// <returns>The tags (the same instance when <paramref name="tags"/> is already a <see cref="SegmentDictionary"/>).</returns>
    /// <exception cref="ArgumentException">A key is empty or a value is null.</exception>
    public static SegmentDictionary From(IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is SegmentDictionary immutable)
        {
            return immutable;
        }

        if (tags is null || tags.Count == 0)
        {
            return Empty;
        }

        var keys = new string[tags.Count];
        var values = new string[tags.Count];
        var i = 0;
        foreach (var (key, value) in tags)
        {
            if (string.IsNullOrEmpty(key) || value is null)
            {
                throw new ArgumentException("A segment tag needs a non-empty key and a non-null value.", nameof(tags));
            }

            if (i == keys.Length)
            {
                throw new ArgumentException("The segment tags changed while they were copied.", nameof(tags));
            }

            keys[i] = key;
            values[i++] = value;
        }

        return new SegmentDictionary(keys[..i], values[..i]);
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _values[index] : null;
        return index >= 0;
    }

    /// <summary>Returns an enumerator over the tags that allocates nothing.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return new(_keys[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)this).GetEnumerator();

    private int IndexOf(string key) => Array.IndexOf(_keys, key);

    /// <summary>Enumerates the tags without allocating.</summary>
    public struct Enumerator
    {
        private readonly SegmentDictionary _tags;
        private int _index;

        internal Enumerator(SegmentDictionary tags)
        {
            _tags = tags;
            _index = -1;
        }

        /// <summary>Gets the current tag.</summary>
        public readonly KeyValuePair<string, string> Current => new(_tags._keys[_index], _tags._values[_index]);

        /// <summary>Moves to the next tag.</summary>
        /// <returns><see langword="false"/> after the last tag.</returns>
        public bool MoveNext() => ++_index < _tags._keys.Length;
    }
}
