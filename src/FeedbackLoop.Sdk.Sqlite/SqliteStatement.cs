using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace FeedbackLoop.Sqlite;

/// <summary>
/// One statement prepared on a connection's native handle for the ingest path, where the per-call work of an ADO.NET
/// command (parameter objects, boxing, re-validation) would cost more than SQLite's own insert: values are bound by
/// position (<c>?1</c>, <c>?2</c>, …) straight from spans, and an error is raised as the <see cref="SqliteException"/>
/// Microsoft.Data.Sqlite raises.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_database, sql, out _statement));
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, string value) => Check(raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Binds a copy of the bytes (SQLite copies them), so the span's buffer may be reused at once.</summary>
    public void Bind(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(_statement, index, value));

    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    /// <summary>Binds a GUID as 16 bytes in network order, so that version-7 ids sort by time in an index.</summary>
    public void Bind(int index, Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes, bigEndian: true, out _);
        Bind(index, bytes);
    }

    /// <summary>Runs a statement that returns no rows; returns how many rows it changed.</summary>
    public int Execute()
    {
        try
        {
            Check(raw.sqlite3_step(_statement), raw.SQLITE_DONE);
            return raw.sqlite3_changes(_database);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Steps to the next row of a query; <see langword="false"/> at the end. Call <see cref="Reset"/> when done.</summary>
    public bool Read()
    {
        var code = raw.sqlite3_step(_statement);
        if (code == raw.SQLITE_ROW)
        {
            return true;
        }

        Check(code, raw.SQLITE_DONE);
        return false;
    }

    /// <summary>Ends a query so that the statement can be run again.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(_statement, column);

    public Guid Guid(int column) => new(Blob(column), bigEndian: true);

    public string String(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public void Dispose() => raw.sqlite3_finalize(_statement);

    private void Check(int code, int expected = raw.SQLITE_OK)
    {
        if (code != expected)
        {
            SqliteException.ThrowExceptionForRC(code, _database);
            throw new SqliteException($"SQLite returned code {code}.", code);
        }
    }
}
